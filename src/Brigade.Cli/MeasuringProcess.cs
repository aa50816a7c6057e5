using System.Diagnostics;

namespace Brigade.Cli;

/// <summary>
/// Runs <c>brigade demo</c> and <c>brigade advise</c> again in a child process with tiered compilation off.
/// </summary>
/// <remarks>
/// The tool runs with tiered compilation on: <c>brigade --help</c> and <c>brigade run</c> start in about half the time
/// (docs/performance.md). The demo and advise time code from its first call, where tier-0 code that is recompiled
/// halfway through a measurement skews what they show (the demo's sequential tiny-items loop read 92 ms instead of 29
/// ms), and the switch is read once at start-up: so those two commands start a second process with
/// <c>DOTNET_TieredCompilation=0</c>, which costs them a start-up (about 0.2 s of runs lasting seconds). The child
/// inherits the terminal; Ctrl+C reaches both (the terminal signals the whole group), and the parent waits for the
/// child and exits with its code.
/// </remarks>
internal static class MeasuringProcess
{
    private const string Variable = "DOTNET_TieredCompilation";
    private static readonly string[] Commands = ["demo", "advise"];

    public static bool ShouldRestart(string[] args) =>
        args.Length > 0 && Commands.Contains(args[0]) &&
        !args.Any(a => a is "-h" or "--help" or "-?") &&
        Environment.GetEnvironmentVariable(Variable) is null &&
        Environment.ProcessPath is not null;

    public static async Task<int> RunAsync(string[] args)
    {
        var host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host) { UseShellExecute = false };

        // Started as 'dotnet Brigade.Cli.dll': the muxer needs the assembly again; as the 'brigade' apphost it does not.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(MeasuringProcess).Assembly.Location);
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment[Variable] = "0";
        Console.CancelKeyPress += (_, e) => e.Cancel = true;   // the child handles Ctrl+C and says so
        using var child = Process.Start(info)!;
        await child.WaitForExitAsync().ConfigureAwait(false);
        return child.ExitCode;
    }
}
