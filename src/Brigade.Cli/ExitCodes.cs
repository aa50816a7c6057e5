namespace Brigade.Cli;

/// <summary>The exit codes of the <c>brigade</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>Everything ran.</summary>
    public const int Success = 0;

    /// <summary>The command ran but something failed (a scene, or items of a run).</summary>
    public const int Failure = 1;

    /// <summary>Invalid options or arguments.</summary>
    public const int Usage = 2;

    /// <summary><c>brigade doctor</c> found a pitfall (a deadlock, thread-pool starvation, pool threads blocked on tasks).</summary>
    public const int PitfallFound = 3;

    /// <summary>The output's reader went away (<c>| head -1</c>): 128 + SIGPIPE, as a tool killed by it (<see cref="Cli.BrokenPipe"/>).</summary>
    public const int BrokenPipe = 141;

    /// <summary>Interrupted with Ctrl+C (SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Interrupted with SIGHUP (128 + 1: the terminal closed), see <see cref="TerminationSignal"/>.</summary>
    public const int HungUp = 129;

    /// <summary>Interrupted with SIGTERM (128 + 15), see <see cref="TerminationSignal"/>.</summary>
    public const int Terminated = 143;
}
