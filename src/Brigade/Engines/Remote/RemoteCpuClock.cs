namespace Brigade.Engines.Remote;

/// <summary>Which clock a <see cref="RemoteItemExecutor"/> reads for a chunk's CPU time.</summary>
internal enum RemoteCpuClock
{
    /// <summary>The whole process's CPU time: a worker process that runs one batch at a time.</summary>
    Process,

    /// <summary>The running thread's CPU time: a silo that runs many batches at once. Asynchronous work may hop threads, so its chunks report none.</summary>
    Thread,
}
