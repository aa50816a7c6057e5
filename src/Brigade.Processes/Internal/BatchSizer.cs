namespace Brigade.Processes.Internal;

/// <summary>
/// Automatic batching for one worker loop, in the spirit of joblib's: the next batch holds as many items as fit in
/// the target duration at the cost per item the worker measured on the last batch (the time it spent running the
/// items and serializing their results, divided by the items), growing at most <see cref="GrowthFactor"/>× per
/// batch and shrinking at once.
/// </summary>
/// <remarks>
/// The first batch has one item: nothing is known yet, and an item may take seconds. The cost is measured inside the
/// worker, so the round trip and the host's scheduling (noisy on a loaded machine) do not distort it; the pipeline
/// (two batches per worker) hides the round trip instead. Growth is capped so that one lucky measurement cannot
/// produce a batch far longer than the target; shrinking is immediate so that a slow item is not followed by a long
/// batch. Near the end of a run the loop splits what is left evenly over the workers.
/// </remarks>
internal sealed class BatchSizer(TimeSpan target)
{
    /// <summary>The largest batch, whatever the measurements: bounds frame sizes and memory.</summary>
    public const int MaxBatch = 65_536;

    /// <summary>How much a batch may grow over the one before.</summary>
    public const int GrowthFactor = 8;

    public int Next { get; private set; } = 1;

    public void Observe(int items, TimeSpan elapsed)
    {
        if (items <= 0)
        {
            return;
        }

        var perItem = elapsed.Ticks / (double)items;
        var ideal = perItem <= 0 ? MaxBatch : target.Ticks / perItem;
        var cap = Math.Min(MaxBatch, (long)items * GrowthFactor);
        Next = (int)Math.Clamp((long)ideal, 1, cap);
    }
}
