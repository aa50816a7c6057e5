using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>What the analysis learns about one thread before it becomes a <see cref="DiagnosedThread"/>.</summary>
internal sealed class ThreadScan(ClrThread thread)
{
    public ClrThread Thread { get; } = thread;

    public int ManagedId => Thread.ManagedThreadId;

    public string? Name { get; set; }

    /// <summary>Gets how a report names the thread: <c>thread 'name' (#id)</c>, or <c>thread #id</c> when it has no name
    /// (review 63: an unnamed reader read <c>thread '?' (#1)</c>).</summary>
    public string Label => Name is null ? $"thread #{ManagedId}" : $"thread '{Name}' (#{ManagedId})";

    public List<FrameScan> Frames { get; } = [];

    public bool IsPoolWorker { get; set; }

    public bool IsIdle { get; set; }

    public WaitKind? Kind { get; set; }

    public string? Api { get; set; }

    /// <summary>Index in <see cref="Frames"/> of the outermost frame of the blocking API.</summary>
    public int WaitFrame { get; set; } = -1;

    public ClrObject Target { get; set; }

    public string? TargetHeldIn { get; set; }

    /// <summary>For a <c>ReaderWriterLockSlim</c> wait, what each owner holds ("write lock", "read lock", ...).</summary>
    public Dictionary<int, string> HolderRoles { get; } = [];

    public string? Detail { get; set; }

    public List<int> Owners { get; } = [];

    /// <summary>The thread's <c>SynchronizationContext.Current</c> (a UI thread's), or null.</summary>
    public ClrObject SyncContext { get; set; }

    public AwaitedTask? Task { get; set; }

    /// <summary>For a <c>Task.WaitAll</c>, every task it waits for (the first is <see cref="Target"/>).</summary>
    public List<ClrObject> AllTasks { get; } = [];

    /// <summary>Doctor67: for a <c>Task.WaitAny</c> (no timeout), every unfinished task it waits for, any one of which ends it
    /// (the first is <see cref="Target"/>).</summary>
    public List<ClrObject> AnyTasks { get; } = [];

    /// <summary>Tasks whose code this thread is running (delegates and async state machines executing on it).</summary>
    public HashSet<ulong> RunningTasks { get; } = [];

    public DiagnosedFrame? Site => WaitFrame < 0 ? null : Frames.Skip(WaitFrame + 1).FirstOrDefault(f => !f.IsFramework)?.Display;
}
