using System.Diagnostics;

namespace Brigade.Doctor.Tests;

/// <summary>Runs the <c>brigade</c> command: as a process (<see cref="RunAsync"/>), or in this test host (<see cref="InProcessAsync"/>).</summary>
internal static class Cli
{
    /// <summary>
    /// Runs the real <c>brigade</c> command line (<c>CliApp.RunAsync</c>, what Program runs after its set-up) in this test
    /// host, its output into strings: the same parse, command, messages and exit code as the process, without the ~1-2 s
    /// of CPU each <c>brigade doctor</c> process spent starting and compiling the doctor and ClrMD (they are IL, not
    /// ReadyToRun images: Brigade.Cli.csproj). For the tests that check only what doctor prints and its exit code; the
    /// process itself (Program's streams, a real exit) is still run by <see cref="RunAsync"/> in a few tests.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> InProcessAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        // The process's bound (RunAsync): a command still running after 90 s is cancelled, and says "interrupted".
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var code = await Task.Run(() => Brigade.Cli.CliApp.RunAsync(args, stdout, stderr, timeout.Token));
        return (code, stdout.ToString(), stderr.ToString());
    }

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
