namespace Brigade.Reporting;

/// <summary>Why a run fell short of its ideal: one part of <see cref="RunLosses"/>.</summary>
public enum LossCause
{
    /// <summary>Before each worker's first batch (starting workers, auto mode's sampling, a worker added late) and after the last batch ended (finishing the run).</summary>
    StartUp,

    /// <summary>Workers idle at the end while others ran their last items (stragglers), or never started because there were fewer items than workers.</summary>
    Imbalance,

    /// <summary>Time between a worker's batches (taking items, dispatch, delivering results), and for worker processes and clusters, a batch's time beyond the worker's own time on it (serialization and transport): the worker's own wall where every worker reported it (worker processes, and silos from review 68 on), else its CPU time there when the items do not wait themselves.</summary>
    Overhead,

    /// <summary>Worker threads ready to run but waiting in the operating system's run queue for a core: other threads or processes were using the cores.</summary>
    WaitingForCore,

    /// <summary>Garbage-collection pauses that stopped the workers.</summary>
    GcPauses,

    /// <summary>Workers waiting for locks: Brigade's synchronization primitives (measured) and plain <c>lock</c> (off-CPU time while the runtime counted contention); and on auto mode, the CPU time items took beside another worker beyond their CPU time alone (contention on shared memory: compare-and-swap retries, cache lines moving between cores, spinning locks).</summary>
    LockContention,

    /// <summary>Items off the CPU inside the thread-pool engine (sized to the cores, so a waiting item leaves a core idle) for reasons other than locks: blocking I/O, sleeps, waits.</summary>
    Blocking,

    /// <summary>The rest of the gap that no measurement accounts for.</summary>
    Unexplained,

    /// <summary>Lanes of the width that auto mode's plan had retired or not yet opened: the run's width changed mid-run (a
    /// re-plan narrowed or widened it), so those lanes sat idle by the plan, not because of a straggler or a slow start.</summary>
    WidthChange,

    /// <summary>Every worker idle after the last item ended, waiting for an asynchronous input that was still open to end
    /// (a FIFO or pipe whose writer closed it late): the run cannot end before its input does.</summary>
    InputEnd,

    /// <summary>Items that waited in the queue of something they share outside the process's CPU (a server, a disk, a
    /// database row, a lock) that serves them one (or a few) at a time: each item took longer the more ran at once, and the
    /// run finished no more items per second than that many workers would; the time beyond the fastest item's is lost.</summary>
    SharedResource,
}
