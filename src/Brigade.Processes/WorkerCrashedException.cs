namespace Brigade.Processes;

/// <summary>
/// The failure recorded for an item that took its worker process down every time it ran, alone, up to
/// <see cref="ProcessEngineOptions.MaxCrashesPerItem"/> times: the process exited, was killed by a signal, or was
/// killed for exceeding the item timeout. The other items of the run are not affected.
/// </summary>
public sealed class WorkerCrashedException : Exception
{
    /// <summary>Initializes an instance with a default message.</summary>
    public WorkerCrashedException()
        : this("The item took its worker process down.")
    {
    }

    /// <summary>Initializes an instance with a message.</summary>
    /// <param name="message">The message.</param>
    public WorkerCrashedException(string message)
        : base(message)
    {
        StandardErrorTail = [];
    }

    /// <summary>Initializes an instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public WorkerCrashedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        StandardErrorTail = [];
    }

    /// <summary>Initializes an instance that describes how the worker died.</summary>
    /// <param name="message">The message.</param>
    /// <param name="exitCode">The worker's exit code, when it exited.</param>
    /// <param name="signal">The signal that killed it, when known (Unix).</param>
    /// <param name="crashes">How many workers the item took down.</param>
    /// <param name="location">The last worker that died, such as <c>pid 4242</c>.</param>
    /// <param name="standardErrorTail">The last lines the worker wrote to standard error.</param>
    public WorkerCrashedException(string message, int? exitCode, int? signal, int crashes, string? location, IReadOnlyList<string> standardErrorTail)
        : base(message)
    {
        ExitCode = exitCode;
        Signal = signal;
        Crashes = crashes;
        Location = location;
        StandardErrorTail = standardErrorTail ?? [];
    }

    /// <summary>Gets the exit code of the last worker that died, when it exited (on Unix, 128 + N when signal N killed it).</summary>
    public int? ExitCode { get; }

    /// <summary>Gets the signal that killed the last worker, when known: 6 (SIGABRT) for <see cref="Environment.FailFast(string)"/> and unhandled exceptions, 9 (SIGKILL) for <c>kill -9</c> and the out-of-memory killer.</summary>
    public int? Signal { get; }

    /// <summary>Gets how many worker processes the item took down.</summary>
    public int Crashes { get; }

    /// <summary>Gets the last worker that died, such as <c>pid 4242</c>.</summary>
    public string? Location { get; }

    /// <summary>Gets the last lines the worker wrote to standard error before it died (at most 20).</summary>
    public IReadOnlyList<string> StandardErrorTail { get; }
}
