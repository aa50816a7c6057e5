namespace Brigade.Auto;

/// <summary>What auto mode measured the work to be; decides the engine it picks.</summary>
public enum WorkloadClass
{
    /// <summary>Nothing was measured (no item ran).</summary>
    Unknown = 0,

    /// <summary>The whole job is so little computation that parallelizing it would cost more than it saves: runs sequentially.</summary>
    Tiny,

    /// <summary>Items keep a core busy (CPU time close to the time not spent waiting for a core): the thread pool at the core count.</summary>
    CpuBound,

    /// <summary>Items mostly wait with a thread blocked (synchronous I/O, sleeps, locks): dedicated threads, width from Little's law.</summary>
    Blocking,

    /// <summary>Asynchronous items that spend most of their time in flight without a thread: asynchronous workers with an adaptive limit.</summary>
    AsyncIo,

    /// <summary>Items both compute and block in comparable measure: dedicated threads, width from Little's law.</summary>
    Mixed,

    /// <summary>Items wait for a lock the others hold (plain <c>lock</c> or Brigade's primitives), not for a device: the lock
    /// serializes them, so more threads cannot help; one or two workers.</summary>
    Serialized,
}
