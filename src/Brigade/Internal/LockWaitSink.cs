using System.Diagnostics;

namespace Brigade.Internal;

/// <summary>
/// The time one worker's items waited on Brigade's synchronization primitives: a wait counts here when the code that
/// began it ran on a thread whose current sink this was, that is inside one of the worker's batches (see
/// <see cref="Enter"/>), wherever the wait ends. Every in-process worker has one (<see cref="EngineWorker.WaitSink"/>);
/// a run's losses sum them, and auto mode's evidence reads them per worker.
/// </summary>
/// <remarks>
/// <para>Why not a process-wide total read at the run's start and end (and, in auto mode, at each tick): in a host whose
/// other threads wait on Brigade's primitives (a test host running other tests, an application using <c>DetectingLock</c>
/// itself), their waits counted as the run's: items that only slept were classed serialized, and reports charged runs
/// for lock contention they did not have.</para>
/// <para>A blocking wait begins and ends on its thread, inside the item. An awaited one (<c>AcquireAsync</c>) records its
/// wait on whichever thread completes it (the releaser's, a timer's), so the wait takes the sink of the thread that began
/// it (<see cref="Current"/>, captured when it starts). A worker's sink is current only while the synchronous part of its
/// batch runs on the batch's thread (<see cref="EngineWorker.BeginBatch"/> to <see cref="EngineWorker.EndBatch"/>, or to
/// the batch's return, whichever comes first): an asynchronous item's wait counts when it began before the item's first
/// await that did not complete at once; a wait it begins after resuming on another thread counts for no run. A run nested
/// in an item enters its own sinks over the outer one's: its items' waits count for it alone.</para>
/// </remarks>
internal sealed class LockWaitSink
{
    [ThreadStatic]
    private static LockWaitSink? _current;

    private long _ticks;

    /// <summary>Gets the sink of the batch the calling thread is running, or null outside any auto worker's batch.</summary>
    public static LockWaitSink? Current => _current;

    /// <summary>Gets the waits counted so far, in ticks.</summary>
    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Adds a finished wait (any thread: an awaited wait ends where it is completed).</summary>
    /// <param name="ticks">How long it waited.</param>
    public void Add(long ticks) => Interlocked.Add(ref _ticks, ticks);

    /// <summary>Makes this the calling thread's sink (a batch starts); returns the one it replaces, for <see cref="Leave"/>.</summary>
    public LockWaitSink? Enter()
    {
        var previous = _current;

        // A worker runs one batch at a time, and each batch's thread leaves its sink once the batch returns.
        Debug.Assert(!ReferenceEquals(previous, this), "A worker's wait sink was left current on a thread after its batch returned.");
        _current = this;
        return previous;
    }

    /// <summary>Puts back <paramref name="previous"/> if this is the calling thread's sink (the batch's synchronous part
    /// ended here); on any other thread, nothing changes.</summary>
    /// <param name="previous">What <see cref="Enter"/> returned.</param>
    public void Leave(LockWaitSink? previous)
    {
        if (ReferenceEquals(_current, this))
        {
            _current = previous;
        }
    }
}
