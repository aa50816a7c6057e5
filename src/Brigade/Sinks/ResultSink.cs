namespace Brigade.Sinks;

/// <summary>Where a run's finished batches go: an ordered list, a stream, a reduction, or nowhere.</summary>
/// <remarks>
/// <see cref="OnBatchAsync"/> is called concurrently from every worker, once per batch, outside any engine lock.
/// <c>values[i]</c> holds the result of item <c>startIndex + i</c> for <c>i &lt; ran</c>, except where that index
/// is in <c>failures</c> (sorted by index).
/// </remarks>
internal abstract class ResultSink<TOut>
{
    /// <summary>Gets a buffer for a batch's results. The default allocates one per batch.</summary>
    public virtual Memory<TOut> RentValues(long startIndex, int count) => new TOut[count];

    public abstract ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken);

    /// <summary>Called for items that were taken from the input but never started.</summary>
    public virtual void OnNotRun(long startIndex, int count)
    {
    }

    /// <summary>
    /// Called once, after every worker has finished and before the run's report is built, when the run neither failed
    /// nor was cancelled: user code the sink still runs (a reduction's final merge) records its failures with the run here.
    /// </summary>
    /// <param name="cancellationToken">The run's token: user code that is still to run stops when it trips.</param>
    public virtual void OnWorkersDone(CancellationToken cancellationToken)
    {
    }

    /// <summary>Gets what an ordered delivery waits for now (the item whose result holds the others back), or
    /// <see langword="null"/>: only an ordered stream ever waits.</summary>
    public virtual DeliveryWait? Waiting => null;

    /// <summary>Gets the longest an ordered delivery waited for one item with results held behind it, or
    /// <see langword="null"/> when it never did.</summary>
    public virtual DeliveryWait? LongestWait => null;

    /// <summary>Called once, after every worker has finished.</summary>
    /// <param name="error">The error that ended the run, if any.</param>
    /// <param name="abandoned">Trips when nobody wants more results (the reader left, or the run was cancelled): a sink
    /// must not wait past it for room to hand out what it still holds.</param>
    public virtual ValueTask CompleteAsync(Exception? error, CancellationToken abandoned) => ValueTask.CompletedTask;
}
