using System.Diagnostics;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>The real <c>brigade</c> command (the CLI's build output, copied beside the tests), run as a child process.</summary>
internal static class BrigadeCli
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "Brigade.Cli.dll");

    /// <summary>This test assembly: silos accept its work types (<c>--assembly</c>), and <c>brigade run --work</c> names them.</summary>
    public static string WorkAssembly { get; } = typeof(CountPrimes).Assembly.Location;

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The CLI turns tiered compilation off for its measurements; silos and runs in tests start faster with it on.
        info.Environment["DOTNET_TieredCompilation"] = "1";
        info.Environment["DOTNET_TieredPGO"] = "0";

        // No call counting: methods stay at their ReadyToRun or first JIT code instead of being compiled again, optimized,
        // once called 30 times. A silo or client of these tests lives seconds to a minute; the background recompilation
        // cost it ~0.8 s of CPU in its first half-minute (a silo idle 20 s after its ready line: 0.19 s instead of 0.8-1.0
        // s), more than the optimized code saves it. What the product does for a long `brigade run` (RunRestart), which
        // the DOTNET_TieredCompilation above turns off; no test here is about the JIT.
        info.Environment["DOTNET_TC_CallCounting"] = "0";
        info.Environment["BRIGADE_NO_PLAN_CACHE"] = "1";
        return info;
    }

    /// <summary>Runs the command to its end; kills it (and fails) after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)> RunAsync(TimeSpan timeout, params string[] args)
    {
        var info = StartInfo(args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"brigade {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s; stderr: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }
}
