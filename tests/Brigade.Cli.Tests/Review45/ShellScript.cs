using System.Diagnostics;

namespace Brigade.Cli.Tests.Review45;

/// <summary>Runs a bash script that starts brigade as a user's script would (<c>"$BRIGADE"</c> is <c>dotnet Brigade.Cli.dll</c>).</summary>
internal static class ShellScript
{
    /// <summary>Runs <paramref name="script"/> in <paramref name="workingDirectory"/>; returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, byte[] Stdout, string Stderr)> RunAsync(string workingDirectory, string script, TimeSpan bound)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = workingDirectory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("BRIGADE=\"dotnet $0\"; " + script);
        psi.ArgumentList.Add(CliProcess.CliDll);
        using var shell = Process.Start(psi)!;
        shell.StandardInput.Close();
        using var stdout = new MemoryStream();
        var copy = shell.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = shell.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(bound);
        try
        {
            await shell.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            shell.Kill(entireProcessTree: true);
            throw new TimeoutException($"the script did not end within {bound.TotalSeconds:0} s: {script}");
        }

        await copy;
        return (shell.ExitCode, stdout.ToArray(), await stderr);
    }
}
