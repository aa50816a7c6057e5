namespace Brigade.Doctor.Corpus;

/// <summary>What brigade doctor must report on a scenario.</summary>
public enum Finding
{
    /// <summary>Deadlock cycles (BRG1001), each with exactly the threads listed.</summary>
    Deadlock,

    /// <summary>Thread-pool starvation (BRG1004).</summary>
    ThreadPoolStarvation,

    /// <summary>Pool threads blocked on unfinished tasks, without starvation (BRG1008).</summary>
    SyncOverAsync,

    /// <summary>Async flows waiting on each other's <c>SemaphoreSlim</c> async locks: a possible deadlock (BRG1001,
    /// <c>IsPossible</c>) with no thread in the cycle.</summary>
    AsyncDeadlock,

    /// <summary>A thread waits on async flows all suspended on <c>SemaphoreSlim</c>s with no free slot, with no flow
    /// that took a slot making progress (BRG1008).</summary>
    AsyncHang,

    /// <summary>Review 64c: threads waiting for ever on a <c>SemaphoreSlim</c> whose releasing task ended (Canceled or
    /// Faulted): a possible hang (BRG1008) with no thread pool involved, each as <see cref="Expectation.Hangs"/> lists it
    /// (review 65: its threads, the ended task, the <c>Release</c> line); the <see cref="Expectation.Blocked"/> threads of
    /// its program stay listed without an owner.</summary>
    Hang,

    /// <summary>Review 71: threads waiting with no timeout on what nothing left in the process can signal (a lost
    /// <c>Pulse</c>, an event nothing sets, a <c>TaskCompletionSource</c> only the waiter refers to): one hang (BRG1008)
    /// naming exactly the <see cref="Expectation.Blocked"/> threads.</summary>
    OwnerlessHang,

    /// <summary>Review 72: threads each holding a lock the next one tries with <c>TryEnter</c> and a finite literal timeout: a
    /// possible livelock (BRG1007), each cycle with exactly the threads of <see cref="Expectation.Cycles"/>; no deadlock.</summary>
    Livelock,

    /// <summary>No pitfall: a correct program, or waits with no owner to blame (listed, never a deadlock).</summary>
    None,
}
