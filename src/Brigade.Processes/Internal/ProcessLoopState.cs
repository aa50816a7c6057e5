namespace Brigade.Processes.Internal;

/// <summary>
/// What one process loop of a run owns: its report worker, codec and batch sizer, the batches in flight to its worker
/// and the retries waiting for a replacement, the crashes charged to each item, and the buffers results are decoded
/// into. Touched by the loop's thread only (the item-timeout watchdog reads the process, not this).
/// </summary>
internal sealed class ProcessLoopState<TIn, TOut>(EngineWorker worker, ProcessWork work, TimeSpan target, int maxFrameLength)
{
    // A cap this high never binds: the batch sizer aims at a batch's duration, and no batch of tiny items nears it.
    private const long UncappedItems = 1 << 20;

    public EngineWorker Worker { get; } = worker;

    public BatchCodec<TIn, TOut> Codec { get; } = new(work, maxFrameLength);

    public BatchSizer Sizer { get; } = new(target);

    /// <summary>Gets or sets the most items a batch may hold: lowered when a batch's frame would exceed the protocol's limit,
    /// then following the bytes of the batches sent (<see cref="FitBatchCap"/>).</summary>
    public int MaxBatchItems { get; set; } = int.MaxValue;

    /// <summary>
    /// Moves the cap on a batch's items toward what fits in half a frame at the item size of a batch just encoded: down at
    /// once for larger items, up at most twofold a batch for smaller ones, and gone once that many items would fit that
    /// no batch of them needs a cap. Lib56: after one split the cap stayed for the run, so a single oversized item left
    /// every later batch of small items at one item, each paying a round trip.
    /// </summary>
    /// <param name="items">The items the batch held.</param>
    /// <param name="frameBytes">Its frame's length.</param>
    public void FitBatchCap(int items, long frameBytes)
    {
        var perItem = Math.Max(1, frameBytes / Math.Max(1, items));
        var fit = Math.Max(1, maxFrameLength / 2 / perItem);
        if (fit >= UncappedItems)
        {
            MaxBatchItems = int.MaxValue;
            return;
        }

        MaxBatchItems = (int)Math.Min(fit, 2L * MaxBatchItems);
    }

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
