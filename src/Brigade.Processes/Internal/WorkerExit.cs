namespace Brigade.Processes.Internal;

/// <summary>Why a worker process died: who killed it, or how it exited, and what it wrote last.</summary>
internal sealed record WorkerExit(int Pid, KillReason Reason, int? ExitCode, int? Signal, IReadOnlyList<string> StderrTail)
{
    /// <summary>
    /// Gets the reason the worker gave in a <c>Fatal</c> frame before it stopped itself ("protocol error: ..."), or null.
    /// Its exit code (2) then says nothing the reason does not: before, such a death read "exited with code 2" and the
    /// reason was lost (leftover of review 39).
    /// </summary>
    public string? Fatal { get; init; }

    public string Cause => Reason switch
    {
        KillReason.ItemTimeout => "killed by Brigade: the item timed out",
        KillReason.StartTimeout => "killed by Brigade: no answer within the start timeout",
        KillReason.Canceled => "killed by Brigade: the run was cancelled and the running item did not stop",
        KillReason.Disposed => "killed by Brigade: the engine was disposed",
        _ when Fatal is { Length: > 0 } why => $"stopped itself, reporting: {why}",
        _ when Fatal is not null => "stopped itself, reporting a fatal error without a reason",
        _ when Signal is { } s => $"killed by signal {s} ({Brigade.Internal.SignalName.Of(s) ?? "signal " + s})",
        _ when ExitCode is { } c => $"exited with code {c}",
        _ => "ended its channel",
    };

    public string Describe()
    {
        var text = $"pid {Pid} {Cause}";
        return StderrTail.Count == 0 ? text : $"{text}; last lines of its standard error:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", StderrTail)}";
    }

    /// <summary>On Unix, .NET reports a child killed by signal N as exit code 128 + N.</summary>
    public static (int? ExitCode, int? Signal) Interpret(int exitCode) =>
        !OperatingSystem.IsWindows() && exitCode is > 128 and < 128 + 65 ? (exitCode, exitCode - 128) : (exitCode, null);
}
