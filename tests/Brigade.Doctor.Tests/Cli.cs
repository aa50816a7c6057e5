using System.Diagnostics;

namespace Brigade.Doctor.Tests;

/// <summary>Runs the real <c>brigade</c> command as a process.</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => await RunAsAsync(null, null, args);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsAsync(string? user, string? cliDll, params string[] args)
    {
        var psi = user is null ? new ProcessStartInfo(ChildProcess.DotnetPath()) : new ProcessStartInfo("runuser");
        if (user is not null)
        {
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(user);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(ChildProcess.DotnetPath());
        }

        psi.ArgumentList.Add(cliDll ?? ChildProcess.CliDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;
        psi.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
