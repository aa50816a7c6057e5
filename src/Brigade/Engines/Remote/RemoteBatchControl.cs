namespace Brigade.Engines.Remote;

/// <summary>How a <see cref="RemoteItemExecutor"/> runs one batch: when it sends results mid-batch, and what stops it.</summary>
/// <param name="FlushIntervalTicks">How long (in <see cref="System.Diagnostics.Stopwatch"/> ticks) results may wait before a
/// chunk is sent mid-batch; <see cref="long.MaxValue"/> for one chunk per batch.</param>
/// <param name="FlushEachItem">Whether a chunk is sent after every item, so that a crash names its item exactly.</param>
/// <param name="Cpu">Which CPU clock the chunks report.</param>
/// <param name="Token">Stops the batch between items (and cancels asynchronous work): the items after it count as not run.</param>
internal readonly record struct RemoteBatchControl(long FlushIntervalTicks, bool FlushEachItem, RemoteCpuClock Cpu, CancellationToken Token);
