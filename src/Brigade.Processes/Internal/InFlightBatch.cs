namespace Brigade.Processes.Internal;

/// <summary>A batch sent to a worker process: how much of it came back, and what the worker measured.</summary>
internal sealed class InFlightBatch<TIn>(PendingBatch<TIn> pending, long batchId, Dictionary<int, Exception>? inputFailures, long sentAt)
{
    public PendingBatch<TIn> Pending { get; } = pending;

    public long BatchId { get; } = batchId;

    /// <summary>Gets the inputs the host could not serialize, by offset: their own failures replace the worker's.</summary>
    public Dictionary<int, Exception>? InputFailures { get; } = inputFailures;

    public long SentAt { get; } = sentAt;

    public int Delivered { get; set; }

    public TimeSpan WorkerTime { get; set; }

    public CancellationTokenRegistration Cancellation { get; set; }
}
