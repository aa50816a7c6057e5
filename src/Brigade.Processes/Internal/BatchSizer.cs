namespace Brigade.Processes.Internal;

/// <summary>
/// Automatic batching for one worker loop, in the spirit of joblib's: the next batch holds as many items as fit in
/// the target duration at the cost per item observed on the last batch (its round-trip time divided by its items),
/// growing at most <see cref="GrowthFactor"/>× per batch and shrinking at once.
/// </summary>
/// <remarks>
/// The first batch has one item: nothing is known yet, and an item may take seconds. The observed cost includes
/// the batch's fixed overhead (a round trip to the worker, tens of microseconds), so small batches over-estimate the
/// cost per item and the size converges from below. Growth is capped so that one lucky measurement cannot produce a
/// batch that takes far longer than the target; shrinking is immediate so that a slow item is not followed by a
/// long batch. The job then caps the size at a quarter of a worker's share of the remaining items.
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
