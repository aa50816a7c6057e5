namespace Brigade.Doctor;

/// <summary>Why one step of a cycle of awaits (<see cref="DeadlockCycle.AwaitLinks"/>) waits for the next one.</summary>
public enum AwaitLinkKind
{
    /// <summary>It awaits (or, for <c>Task.WhenAll</c> or <c>Task.Run</c>'s unwrapped task, joins) the next step: a fact the
    /// heap shows (the next task's continuation resumes this one), which cannot be taken back.</summary>
    Awaits = 1,

    /// <summary>It is a <c>TaskCompletionSource</c>'s task, and the next step is the only suspended async method whose code
    /// completes that source after the await it is suspended at: inferred from IL, a possible link.</summary>
    Completes = 2,

    /// <summary>It is a queued <c>SemaphoreSlim.WaitAsync</c>, and the next step is the only suspended async method that
    /// passed that semaphore's <c>WaitAsync</c> without a <c>Release</c>: inferred, a possible link.</summary>
    HoldsSemaphoreSlot = 3,

    /// <summary>It waits in the queue of an async lock written by hand, and the next step is the only suspended async method
    /// past an await of the same lock method with no <c>Dispose</c> since: inferred, a possible link.</summary>
    HoldsLock = 4,

    /// <summary>It is a <c>WriteAsync</c> waiting for room in a full bounded channel, and the next step is the only async
    /// method holding that channel's reader: only its next read would make room. Inferred, a possible link.</summary>
    OnlyReader = 5,

    /// <summary>It is a <c>TaskCompletionSource</c>'s task kept in an item buffered in a channel (a request in a mailbox),
    /// and the next step is the only async method holding that channel's reader: it completes the source only once it
    /// reads that item. Inferred, a possible link.</summary>
    Mailbox = 6,
}
