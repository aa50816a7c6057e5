namespace Brigade.Doctor;

/// <summary>One managed thread of the diagnosed process: who it is, its stack, and what it is blocked on.</summary>
public sealed class DiagnosedThread
{
    internal DiagnosedThread(int managedThreadId, uint osThreadId, string? name, bool isThreadPoolWorker, bool isIdle, ThreadWait? wait, IReadOnlyList<DiagnosedFrame> frames)
    {
        ManagedThreadId = managedThreadId;
        OSThreadId = osThreadId;
        Name = name;
        IsThreadPoolWorker = isThreadPoolWorker;
        IsIdle = isIdle;
        Wait = wait;
        Frames = frames;
    }

    /// <summary>Gets the managed thread id (<c>Environment.CurrentManagedThreadId</c> in the process).</summary>
    public int ManagedThreadId { get; }

    /// <summary>Gets the operating system's thread id.</summary>
    public uint OSThreadId { get; }

    /// <summary>Gets the thread's name, or null.</summary>
    public string? Name { get; }

    /// <summary>Gets whether it is a worker thread of the .NET thread pool.</summary>
    public bool IsThreadPoolWorker { get; }

    /// <summary>Gets whether it is a pool worker waiting for work, or a runtime thread waiting for its next job: idle, not blocked.</summary>
    public bool IsIdle { get; }

    /// <summary>Gets what it is blocked on, or null when it is running (or in code the analysis does not recognize as a wait).</summary>
    public ThreadWait? Wait { get; }

    /// <summary>Gets its managed frames, innermost first.</summary>
    public IReadOnlyList<DiagnosedFrame> Frames { get; }

    /// <summary>Gets whether the thread's stack was not read to its end (deeper than <see cref="DoctorOptions.MaxFramesPerThread"/>,
    /// or unreadable past some frame): what its outer frames run is unknown.</summary>
    internal bool StackCut { get; init; }

    /// <summary>Gets whether any frame is the application's own code (not only .NET's).</summary>
    public bool RunsApplicationCode => Frames.Any(f => !f.IsFramework);

    /// <summary>Returns how reports name the thread.</summary>
    /// <returns>For example <c>thread 'transfer-1' (#9)</c> or <c>pool thread #14</c>.</returns>
    public override string ToString() => Name is { Length: > 0 } && !Name.StartsWith(".NET TP Worker", StringComparison.Ordinal)
        ? $"{(IsThreadPoolWorker ? "pool thread" : "thread")} '{Name}' (#{ManagedThreadId})"
        : $"{(IsThreadPoolWorker ? "pool thread" : "thread")} #{ManagedThreadId}";
}
