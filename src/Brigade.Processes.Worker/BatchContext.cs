namespace Brigade.Processes.Worker;

/// <summary>What a running batch needs from the worker: where to write, when to flush, and whether it was cancelled.</summary>
internal sealed class BatchContext(WorkerChannel channel, long flushIntervalTicks, bool reportMemory, Func<long, bool> isCancelled, Func<CancellationToken> token)
{
    public WorkerChannel Channel => channel;

    /// <summary>Gets how long (in <see cref="System.Diagnostics.Stopwatch"/> ticks) results may wait before a chunk is sent mid-batch.</summary>
    public long FlushIntervalTicks => flushIntervalTicks;

    public bool ReportMemory => reportMemory;

    public bool IsCancelled(long batchId) => isCancelled(batchId);

    public CancellationToken Token => token();
}
