namespace Brigade.Internal;

/// <summary>Watches the exact start and end of a worker's batches (after bookkeeping starts, before it ends), to measure the items alone.</summary>
/// <remarks>Called on the thread running the batch; for asynchronous work the end may come on another thread.</remarks>
internal interface IBatchObserver
{
    /// <summary>The batch's first item is about to start.</summary>
    /// <param name="threadCpuTicks">The worker's reading of the thread's CPU time, or -1 when it skipped it (short batches).</param>
    void OnBatchStart(long threadCpuTicks);

    /// <summary>The batch's last item has finished; results are not yet delivered.</summary>
    /// <param name="threadCpuTicks">The worker's reading of the thread's CPU time, or -1 when it skipped it or the batch ended on another thread.</param>
    void OnBatchEnd(long threadCpuTicks);
}
