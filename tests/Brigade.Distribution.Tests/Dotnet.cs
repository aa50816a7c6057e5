using System.Diagnostics;
using System.Text;

namespace Brigade.Distribution.Tests;

/// <summary>Runs the <c>dotnet</c> CLI (or a program) as a user would, with a time limit.</summary>
internal static class Dotnet
{
    public static Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, params string[] args) =>
        RunProgramAsync("dotnet", workingDirectory, TimeSpan.FromMinutes(5), args);

    public static async Task<(int ExitCode, string Output)> RunProgramAsync(string program, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var (exit, stdout, stderr) = await RunProgramAsync(program, workingDirectory, timeout, new Dictionary<string, string>(), args);
        return (exit, stderr.Length == 0 ? stdout : stdout + stderr);
    }

    /// <summary>Runs a program with extra environment variables; its stdout and stderr apart.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunProgramAsync(string program, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // A build inside a test must not join the test run's MSBuild nodes (each build passes -nodeReuse:false, so it
        // neither looks for idle nodes nor leaves its own behind), nor print a banner. It builds in its own process:
        // MSBUILDNOINPROCNODE=1 made every build start one more process for its node (the consumer's build 16.3-17.8 s
        // of CPU with it, 14.2-15.5 s without, three pairs at load 50-55; within the noise in whole runs at load 23-30).
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBuildSDKsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{program} {string.Join(' ', args)}' did not finish within {timeout}:\n{stdout}{stderr}");
        }

        process.WaitForExit();
        lock (stdout)
        {
            return (process.ExitCode, stdout.ToString(), stderr.ToString());
        }
    }
}
