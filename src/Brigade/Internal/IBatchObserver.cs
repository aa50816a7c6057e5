namespace Brigade.Internal;

/// <summary>Watches the exact start and end of a worker's batches (after bookkeeping starts, before it ends), to measure the items alone.</summary>
/// <remarks>Called on the thread running the batch; for asynchronous work the end may come on another thread.</remarks>
internal interface IBatchObserver
{
    /// <summary>The batch's first item is about to start.</summary>
    void OnBatchStart();

    /// <summary>The batch's last item has finished; results are not yet delivered.</summary>
    void OnBatchEnd();
}
