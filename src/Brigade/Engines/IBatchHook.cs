namespace Brigade.Engines;

/// <summary>
/// Something that watches every batch an in-process engine runs: the race detector's happens-before, the progress
/// watchdog's participants, auto mode's measurements. The one seam between the engine kit and the detectors.
/// </summary>
/// <remarks>
/// <para><see cref="Enter"/> runs on the batch's thread before its first item; <see cref="Exit"/> after its last item,
/// before results are delivered, on the same thread for synchronous work and possibly on another for asynchronous work.
/// A worker runs one batch at a time, so a hook's calls for one worker never overlap; calls for different workers do.</para>
/// <para>Internal on purpose: a call on every batch is a performance and compatibility commitment, and detectors are
/// added inside Brigade.</para>
/// </remarks>
internal interface IBatchHook
{
    /// <summary>A batch of <paramref name="worker"/> is about to start.</summary>
    /// <param name="worker">The worker running the batch.</param>
    /// <param name="slot">The hook's state for this worker: null at the worker's first batch, then what the hook left there.</param>
    /// <returns>The hook's state for this batch, handed back to <see cref="Exit"/>.</returns>
    object? Enter(EngineWorker worker, ref object? slot);

    /// <summary>The batch has ended; its results are not yet delivered.</summary>
    /// <param name="worker">The worker that ran the batch.</param>
    /// <param name="slot">The hook's state for this worker.</param>
    /// <param name="entered">What <see cref="Enter"/> returned for this batch.</param>
    /// <param name="ran">How many items finished (succeeded or failed).</param>
    void Exit(EngineWorker worker, object? slot, object? entered, int ran);
}
