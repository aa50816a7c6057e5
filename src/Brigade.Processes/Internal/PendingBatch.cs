namespace Brigade.Processes.Internal;

/// <summary>A batch a process loop will send: taken from the run, or a retry after its worker died (then with a result
/// chunk after every item, so a second death names the item).</summary>
internal readonly record struct PendingBatch<TIn>(ItemBatch<TIn> Batch, bool FlushEachItem);
