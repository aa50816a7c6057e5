using System.Diagnostics;

namespace Brigade.Cli.Commands;

/// <summary>
/// Runs <c>brigade doctor</c> in a child process with tiered compilation on. The CLI turns it off (the demo measures
/// code within a second of start-up), which makes the doctor compile about a thousand methods (ClrMD's, the DAC's
/// interop stubs) fully optimized before it can print anything: about a second of JIT on the 2-core reference machine.
/// A second runtime start costs far less (see docs/performance.md).
/// </summary>
internal static class DoctorRelaunch
{
    private const string Variable = "DOTNET_TieredCompilation";

    /// <summary>Gets whether <paramref name="args"/> should run relaunched: a doctor command in a process without tiered compilation.</summary>
    public static bool Applies(string[] args) =>
        args is ["doctor", ..] && !args.Contains("--help") && !args.Contains("-h")
        && Environment.GetEnvironmentVariable(Variable) is null
        && AppContext.TryGetSwitch("System.Runtime.TieredCompilation", out var tiered) && !tiered
        && Environment.ProcessPath is not null;

    /// <summary>Runs the same command line again with tiered compilation on, on this console; returns its exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var host = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(DoctorRelaunch).Assembly.Location);
        }

        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[Variable] = "1";

        // Ctrl+C reaches both processes: the child reports it; this one waits for the child's exit code.
        Console.CancelKeyPress += (_, e) => e.Cancel = true;
        using var child = Process.Start(psi) ?? throw new InvalidOperationException("could not relaunch brigade doctor");
        await child.WaitForExitAsync().ConfigureAwait(false);
        return child.ExitCode;
    }
}
