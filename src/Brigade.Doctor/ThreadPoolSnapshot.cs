namespace Brigade.Doctor;

/// <summary>The .NET thread pool at the moment of the dump: its workers, what they do, and the work waiting in its queues.</summary>
public sealed class ThreadPoolSnapshot
{
    internal ThreadPoolSnapshot(int workers, int idle, int running, int blocked, int blockedOnTasks, int queuedWorkItems, IReadOnlyList<string> queuedExamples, int minThreads, int maxThreads, int contending = 0)
    {
        Contending = contending;
        Workers = workers;
        Idle = idle;
        Running = running;
        Blocked = blocked;
        BlockedOnTasks = blockedOnTasks;
        QueuedWorkItems = queuedWorkItems;
        QueuedExamples = queuedExamples;
        MinThreads = minThreads;
        MaxThreads = maxThreads;
    }

    /// <summary>Gets the number of worker threads.</summary>
    public int Workers { get; }

    /// <summary>Gets how many workers wait for work.</summary>
    public int Idle { get; }

    /// <summary>Gets how many workers run work items without being blocked (as far as their stacks show).</summary>
    public int Running { get; }

    /// <summary>Gets how many workers are blocked inside a work item (a lock, a sleep, a synchronous wait, I/O).</summary>
    public int Blocked { get; }

    /// <summary>Gets how many of the blocked workers wait synchronously on a task (sync-over-async).</summary>
    public int BlockedOnTasks { get; }

    /// <summary>Gets the number of work items in the pool's global and per-thread queues.</summary>
    public int QueuedWorkItems { get; }

    /// <summary>Gets the most common kinds of queued work items, with their counts, such as <c>async method Api.GetAsync ×40</c>.</summary>
    public IReadOnlyList<string> QueuedExamples { get; }

    /// <summary>Gets the pool's minimum number of worker threads (below which it adds threads without delay).</summary>
    public int MinThreads { get; }

    /// <summary>Gets the pool's maximum number of worker threads.</summary>
    public int MaxThreads { get; }

    /// <summary>Gets whether the pool is starved: work is queued, no worker is idle, and blocked workers outnumber running
    /// ones. A worker waiting for a lock whose holder is running (contention in a busy program: it goes on when the
    /// holder lets go) counts as running, not blocked, here.</summary>
    public bool IsStarved => QueuedWorkItems > 0 && Idle == 0 && Blocked - Contending > 0 && Blocked - Contending >= Running + Contending;

    /// <summary>Gets how many of the blocked workers wait for a lock (<c>lock</c>/<c>Monitor</c>, <c>Lock</c>,
    /// <c>ReaderWriterLockSlim</c>, a <c>SpinLock</c> since review 46) whose every holder is running.</summary>
    internal int Contending { get; }
}
