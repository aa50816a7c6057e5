namespace Brigade.Processes.Internal;

/// <summary>
/// What one process loop of a run owns: its report worker, codec and batch sizer, the batches in flight to its worker
/// and the retries waiting for a replacement, the crashes charged to each item, and the buffers results are decoded
/// into. Touched by the loop's thread only (the item-timeout watchdog reads the process, not this).
/// </summary>
internal sealed class ProcessLoopState<TIn, TOut>(EngineWorker worker, ProcessWork work, TimeSpan target, int maxFrameLength)
{
    public EngineWorker Worker { get; } = worker;

    public BatchCodec<TIn, TOut> Codec { get; } = new(work, maxFrameLength);

    public BatchSizer Sizer { get; } = new(target);

    /// <summary>Gets or sets the most items a batch may hold: lowered when a batch's frame would exceed the protocol's limit.</summary>
    public int MaxBatchItems { get; set; } = int.MaxValue;

    public Queue<PendingBatch<TIn>> Retries { get; } = new();

    public Queue<InFlightBatch<TIn>> InFlight { get; } = new();

    /// <summary>Gets or sets a batch taken while its worker was being started (reported as not run if that fails).</summary>
    public PendingBatch<TIn>? Starting { get; set; }

    public long LastArrival { get; set; }

    /// <summary>Gets how many workers each item (by input index) has taken down with it.</summary>
    public Dictionary<long, int> Crashes { get; } = [];

    public List<ItemFailure> Failures { get; } = [];

    public TOut[] Values { get; private set; } = new TOut[16];

    public WorkerProcess? Process { get; set; }

    public void EnsureValues(int count)
    {
        if (Values.Length < count)
        {
            Values = new TOut[Math.Max(count, Values.Length * 2)];
        }
    }
}
