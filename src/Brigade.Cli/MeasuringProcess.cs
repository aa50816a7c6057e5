namespace Brigade.Cli;

/// <summary>
/// Starts <c>brigade demo</c> and <c>brigade advise</c> over again with tiered compilation off, in the same process.
/// </summary>
/// <remarks>
/// The tool runs with tiered compilation on: <c>brigade --help</c> and <c>brigade run</c> start in about half the time
/// (docs/performance.md). The demo and advise time code from its first call, where tier-0 code that is recompiled
/// halfway through a measurement skews what they show (the demo's sequential tiny-items loop read 92 ms instead of 29
/// ms), and the runtime reads the switch once, at start-up. So on Linux and macOS those two commands replace the
/// process image with themselves (<c>execve</c>) with <c>DOTNET_TieredCompilation=0</c> (and workstation GC and the
/// thread pool's default idle spinning, which applications get by default, where the tool runs server GC and no
/// spinning) added: the same process id,
/// terminal, signals and exit code, for the cost of one more start-up (about 0.2 s of runs lasting seconds). Where
/// that is not available they run as they are. The restarted process takes the variables it added out of its
/// environment again (<see cref="TakeRestart()"/>), except the thread pool's spin limit, which is read later, so what it starts (worker processes, silos, the doctor's subject)
/// runs with the settings a user's program gets, not the measuring ones.
/// </remarks>
internal static class MeasuringProcess
{
    private const string Variable = "DOTNET_TieredCompilation";
    private const string GcVariable = "DOTNET_gcServer";

    // The tool's runtimeconfig sets the thread pool's idle spinning to 0 (Brigade.Cli.csproj); the environment wins.
    private const string SpinVariable = "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit";
    private const string DefaultSpinLimit = "46"; // 70, the runtime's default: DOTNET_ values are hexadecimal
    private static readonly string[] Commands = ["demo", "advise"];

    // Set on the restarted process image: the names of the variables the restart added, comma-separated.
    private const string MarkerVariable = "BRIGADE_MEASURING_RESTARTED";

    /// <summary>
    /// In a process image the restart started, takes the restart's start-up switches (tiered compilation, GC mode) and
    /// its marker out of the environment, so that child processes do not inherit them; the runtime has read them at
    /// start-up. The spin limit stays: the thread pool reads it at its first use, later. Returns whether it did.
    /// </summary>
    public static bool TakeRestart() => TakeRestart(Environment.GetEnvironmentVariable, Environment.SetEnvironmentVariable);

    /// <summary><see cref="TakeRestart()"/> over a given environment (for tests, which share the process's).</summary>
    internal static bool TakeRestart(Func<string, string?> get, Action<string, string?> set)
    {
        if (get(MarkerVariable) is not { } added)
        {
            return false;
        }

        set(MarkerVariable, null);
        foreach (var name in added.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (name is Variable or GcVariable)
            {
                set(name, null);
            }
        }

        return true;
    }

    /// <summary>Whether this command measures and should start again with the measuring settings: <c>demo</c> and
    /// <c>advise</c>, not their help nor their <c>--list</c>, which measure nothing (review 56: <c>demo --list</c> paid a
    /// second start-up, ~0.2 s of CPU, to print the scenes' names).</summary>
    /// <param name="args">The command line.</param>
    /// <returns>True to restart.</returns>
    public static bool ShouldRestart(string[] args) =>
        SelfExec.IsAvailable &&
        args.Length > 0 && Commands.Contains(args[0]) &&
        !args.Any(a => a is "-h" or "--help" or "-?" or "--list") &&
        Environment.GetEnvironmentVariable(Variable) is null &&
        !IsUsageError(args);

    /// <summary>Whether an <c>advise</c> command line is a usage error found without loading or measuring anything: a parse
    /// error (an unknown option, <c>--repetitions abc</c>) or one of its own checks (<c>--engines gpu</c>). Such a command
    /// is not restarted: it says its one line and exits 2 in this process (review 64: it was said only after the restart,
    /// a second start-up of ~0.2 s of CPU for an error).</summary>
    /// <param name="args">The command line of <c>demo</c> or <c>advise</c>.</param>
    /// <returns>True when the command is advise and would end in a usage error; false for the demo.</returns>
    internal static bool IsUsageError(string[] args)
    {
        // advise only: the demo's checks are its action's (scene ids), and building a command costs the demo's every start
        // about 0.05 s of CPU in tier-0 code (cpu-of: demo --only x 0.2 -> 0.3 s) for errors it would find after the
        // restart anyway. Only advise's command is built, not the whole tree.
        if (args is not ["advise", ..])
        {
            return false;
        }

        var parse = new System.CommandLine.RootCommand { Brigade.Cli.Commands.AdviseCommand.Create(TextWriter.Null, TextWriter.Null) }.Parse(args);
        if (parse.Errors.Count > 0)
        {
            return true;
        }

        try
        {
            _ = Brigade.Cli.Commands.AdviseCommand.Check(parse);
        }
        catch (CliUsageException)
        {
            return true;
        }

        return false;
    }

    /// <summary>Replaces this process with the same command, tiered compilation off; returns only if that failed.</summary>
    public static void Restart(string[] args)
    {
        // The tool runs server GC (flat memory for long runs, docs/performance.md) and a thread pool that does not spin
        // when idle; what the demo and advise measure is the workstation GC and the spinning an application gets by
        // default, unless the user chose otherwise.
        var added = new List<string> { $"{Variable}=0" };
        if (Environment.GetEnvironmentVariable(GcVariable) is null)
        {
            added.Add($"{GcVariable}=0");
        }

        if (Environment.GetEnvironmentVariable(SpinVariable) is null)
        {
            added.Add($"{SpinVariable}={DefaultSpinLimit}");
        }

        var names = string.Join(',', added.Select(a => a[..a.IndexOf('=', StringComparison.Ordinal)]));
        added.Add($"{MarkerVariable}={names}");
        SelfExec.Replace(args, added);
    }
}
