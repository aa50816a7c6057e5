namespace Brigade.Cli.Run;

/// <summary>
/// Starts a <c>brigade run</c> over a long input over again in the same process with the runtime's call counting off
/// (<c>DOTNET_TC_CallCounting=0</c>), which only the environment can set.
/// </summary>
/// <remarks>
/// With tiered compilation, every method called 30 times is compiled a second time, optimized, on a background thread:
/// on a run of 2,000 short commands that was a fifth of the tool's CPU (hundreds of recompiled methods, ~0.25 ms per
/// command of a 2-core machine's CPU that the commands needed) and ~10 MiB of memory (docs/performance.md). The code a
/// run executes per item is already optimized (the tool's ReadyToRun images and the framework's), so without call
/// counting it stays as it is. The runtime reads the switch at start-up, from the environment only (not from the
/// runtimeconfig), so a run whose input is a regular file of at least <see cref="MinItems"/> items replaces itself
/// (<see cref="SelfExec"/>: same pid, descriptors, signals and exit code) once it has parsed its command line, before it
/// touches any file; a shorter run, which would lose more to a second start-up than it gains, runs as it is, and so does
/// one reading a pipe (its items cannot be counted ahead). The variable is taken out of the environment again after the
/// restart, so the commands (perhaps .NET programs themselves) do not inherit it; a variable the user set is left alone,
/// and then nothing restarts.
/// </remarks>
internal static class RunRestart
{
    /// <summary>The fewest items that make a restart worth its second start-up (about 0.05 s of CPU).</summary>
    public const int MinItems = 200;

    private const string CallCountingVariable = "DOTNET_TC_CallCounting";

    // Marks the process image a restart started, so that it does not restart again.
    private const string MarkerVariable = "BRIGADE_RUN_RESTARTED";

    // Names the variables the restart added beyond the two above (comma-separated), so that exactly those are taken
    // out again: a variable the user set stays, for the commands too.
    private const string AddedVariable = "BRIGADE_RUN_RESTART_ADDED";

    // A run of commands allocates little of its own (~0.7 MB/s at 2,000 commands a second): workstation GC, not
    // concurrent, with the youngest generation's budget capped. The tool's default, server GC adapting its size
    // (DATAS), raises its budget when its pauses look expensive, as on a busy machine where its threads wait for a core:
    // on 100,000 commands at load 20-30 the RSS grew 55 -> 63-74 MiB, against 54 MiB flat with these settings in the
    // same minutes (docs/performance.md). The runtime reads the budget's cap from the environment only. Not for --work
    // runs: a .NET work type's own allocations would pay for a small budget.
    private static readonly string[] CommandRunGcSettings = ["DOTNET_gcServer=0", "DOTNET_gcConcurrent=0", "DOTNET_GCgen0MaxBudget=0x400000"];

    private static string[]? _args;

    /// <summary>
    /// Called by Program with the process's own arguments: only the real process may replace itself (tests run the
    /// command in-process). In a restarted process, takes the restart's variables out of the environment instead.
    /// </summary>
    public static void Arm(string[] args)
    {
        if (Environment.GetEnvironmentVariable(MarkerVariable) == "1")
        {
            foreach (var name in (Environment.GetEnvironmentVariable(AddedVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            Environment.SetEnvironmentVariable(AddedVariable, null);
            Environment.SetEnvironmentVariable(MarkerVariable, null);
            Environment.SetEnvironmentVariable(CallCountingVariable, null);
            Restarted = true;
            return;
        }

        // Only a run restarts; any other command handles its signals from the start.
        if (args is ["run", ..])
        {
            _args = args;
        }
    }

    /// <summary>
    /// Gets whether this process may still replace itself: Program then leaves SIGINT, SIGTERM and SIGHUP at the runtime's
    /// defaults, and <see cref="MaybeRestart"/> arms them (<see cref="TerminationSignal.Arm"/>) once it has decided not to.
    /// </summary>
    /// <remarks>
    /// A signal handled before the <c>execve</c> only cancelled this image's token, which the new image never sees: the run
    /// then went on as if no Ctrl+C had come (a run of 200 lines or more, interrupted in the ~0.1 s between the handlers'
    /// start and the restart, ran to its end; with its stdout a full pipe, for good). Until the decision nothing is
    /// created or written, so the default action (the process ends, 130 or 143 as the shell shows it) loses nothing.
    /// </remarks>
    public static bool SignalsDeferred => _args is not null;

    /// <summary>Gets whether this process is a restarted run (for tests and diagnostics).</summary>
    public static bool Restarted { get; private set; }

    /// <summary>Replaces this process when <paramref name="input"/> is long enough (see the remarks); returns when it does not.</summary>
    /// <param name="input">The run's input path, or <c>-</c>.</param>
    /// <param name="nullSeparated">Whether items end at NUL bytes.</param>
    /// <param name="commands">Whether the items are commands (<c>--exec</c>): the restart then also sets the GC for a run that allocates little.</param>
    public static void MaybeRestart(string input, bool nullSeparated, bool commands)
    {
        if (_args is not { } args)
        {
            return; // restarted already, or not the real process (tests run the command in-process)
        }

        _args = null;
        if (ShouldRestart(input, nullSeparated))
        {
            // With the signals still at their defaults (see SignalsDeferred): returns only if the execve failed.
            SelfExec.Replace(args, RestartVariables(commands, Environment.GetEnvironmentVariable));
        }

        // Running here, in this image: from now on a signal stops the run cleanly (summary, resume hint).
        TerminationSignal.Arm();
    }

    /// <summary>The variables a restart adds: call counting off, the marker, and for a run of commands the GC's settings the user did not set.</summary>
    internal static List<string> RestartVariables(bool commands, Func<string, string?> environment)
    {
        var added = commands
            ? CommandRunGcSettings.Where(setting => !IsSet(setting[..setting.IndexOf('=')], environment)).ToList()
            : [];
        List<string> variables = [$"{CallCountingVariable}=0", $"{MarkerVariable}=1", .. added];
        if (added.Count > 0)
        {
            variables.Add($"{AddedVariable}={string.Join(',', added.Select(setting => setting[..setting.IndexOf('=')]))}");
        }

        return variables;
    }

    // The runtime reads DOTNET_ and COMPlus_ alike (DOTNET_ first).
    private static bool IsSet(string name, Func<string, string?> environment) =>
        environment(name) is not null || environment("COMPlus_" + name["DOTNET_".Length..]) is not null;

    /// <summary>Whether a run over <paramref name="input"/> restarts, this process's environment and platform allowing.</summary>
    internal static bool ShouldRestart(string input, bool nullSeparated) =>
        SelfExec.IsAvailable &&
        Environment.GetEnvironmentVariable(CallCountingVariable) is null &&
        Environment.GetEnvironmentVariable("COMPlus_TC_CallCounting") is null &&
        Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is null &&
        Environment.GetEnvironmentVariable("COMPlus_TieredCompilation") is null &&
        input != "-" &&
        NativeMethods.KindOf(input) == FileKind.Regular &&
        HasAtLeast(input, MinItems, nullSeparated ? (byte)0 : (byte)'\n');

    // Reads only as far as the first MinItems separators (a few KB for short lines), never the whole file.
    private static bool HasAtLeast(string path, int items, byte separator)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            Span<byte> buffer = stackalloc byte[8192];
            var seen = 0;
            int read;
            while ((read = file.Read(buffer)) > 0)
            {
                seen += buffer[..read].Count(separator);
                if (seen >= items)
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // the run reports it in its own words
        }
    }
}
