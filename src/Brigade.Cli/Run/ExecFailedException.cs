namespace Brigade.Cli.Run;

/// <summary>An item whose command failed: non-zero exit, a signal, a timeout, or a command that could not start.</summary>
/// <param name="message">Why it failed.</param>
/// <param name="exitCode">Its exit code, when it exited.</param>
/// <param name="stderrTail">The end of its stderr.</param>
/// <param name="output">What it wrote to stdout before it failed (a failed command's output is the user's too, as in
/// GNU parallel and xargs), or null when it never ran.</param>
internal sealed class ExecFailedException(string message, int? exitCode, string? stderrTail, byte[]? output = null) : Exception(message)
{
    public int? ExitCode => exitCode;

    public string? StderrTail => stderrTail;

    /// <summary>Gets what the command wrote to stdout, or null when it wrote nothing or never started.</summary>
    public byte[]? Output => output is { Length: > 0 } ? output : null;

    /// <summary>Gets the CPU time the command used before it failed, where known: it counts as a finished command's does
    /// (auto mode's reading of busy commands that exit non-zero, <c>timeout 3 sh -c 'while :; do :; done'</c>; auto72).</summary>
    public TimeSpan? CpuTime { get; init; }

    /// <summary>Gets the command's time waiting for a core before it failed (zero when unknown).</summary>
    public TimeSpan RunQueueWait { get; init; }
}
