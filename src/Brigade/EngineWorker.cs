using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade;

/// <summary>
/// One worker of a run, as an engine sees it: it sizes the worker's next batch and records what the worker ran
/// for the report and timeline.
/// </summary>
/// <remarks>
/// A worker belongs to one logical flow at a time (a thread, or an async loop): its members are not thread-safe.
/// Engines get workers from <see cref="EngineJob{TIn, TOut}.CreateWorker(TimeSpan, string?)"/>.
/// </remarks>
public sealed class EngineWorker
{
    private const int MaxAdaptiveBatch = 1 << 16;

    private readonly RunRecorder _recorder;
    private readonly long _targetBatchTimestamps;
    private readonly List<TimelineEvent> _timeline = [];
    private int _adaptiveBatch = 1;
    private long _batches;
    private long _items;
    private long _failed;
    private long _busyTicks;
    private long _cpuTicks;
    private bool _cpuComplete = true;
    private long _batchStart;
    private long _batchStartCpu;
    private int _batchThread;

    internal EngineWorker(RunRecorder recorder, int id, string name, TimeSpan targetBatchDuration)
    {
        _recorder = recorder;
        Id = id;
        Name = name;
        _targetBatchTimestamps = Math.Max(1, (long)(targetBatchDuration.TotalSeconds * recorder.Clock.TimeProvider.TimestampFrequency));
    }

    /// <summary>Gets the worker's 0-based id within the run.</summary>
    public int Id { get; }

    /// <summary>Gets the worker's readable name.</summary>
    public string Name { get; }

    /// <summary>Gets or sets where the worker runs when that is not this process, such as <c>pid 4242</c> or a silo address.</summary>
    public string? Location { get; set; }

    /// <summary>Gets the batch size the worker would like next, before the job applies its limits.</summary>
    public int PreferredBatchSize => _adaptiveBatch;

    internal IReadOnlyList<TimelineEvent> Timeline => _timeline;

    /// <summary>Marks the start of a batch on the calling thread.</summary>
    public void BeginBatch()
    {
        _batchThread = Environment.CurrentManagedThreadId;
        _batchStartCpu = ThreadCpuTime.NowTicks();
        _batchStart = _recorder.Clock.Now();
    }

    /// <summary>Marks the end of the batch begun by <see cref="BeginBatch"/>, and adapts the next batch size.</summary>
    /// <param name="firstIndex">The input index of the batch's first item.</param>
    /// <param name="count">How many items ran.</param>
    /// <param name="failed">How many of them failed.</param>
    public void EndBatch(long firstIndex, int count, int failed)
    {
        var end = _recorder.Clock.Now();
        TimeSpan? cpu = null;
        if (_batchStartCpu >= 0 && _batchThread == Environment.CurrentManagedThreadId)
        {
            var cpuEnd = ThreadCpuTime.NowTicks();
            if (cpuEnd >= 0)
            {
                cpu = TimeSpan.FromTicks(cpuEnd - _batchStartCpu);
            }
        }

        RecordBatch(firstIndex, count, failed, _batchStart, end, cpu);
    }

    /// <summary>Records a batch that ran elsewhere (another process or machine), and adapts the next batch size.</summary>
    /// <param name="firstIndex">The input index of the batch's first item.</param>
    /// <param name="count">How many items ran.</param>
    /// <param name="failed">How many of them failed.</param>
    /// <param name="startTimestamp">When the batch was sent, from <see cref="EngineJob{TIn, TOut}.GetTimestamp"/>.</param>
    /// <param name="endTimestamp">When its results arrived, from <see cref="EngineJob{TIn, TOut}.GetTimestamp"/>.</param>
    /// <param name="cpuTime">The CPU time the batch used where it ran, if known.</param>
    public void RecordBatch(long firstIndex, int count, int failed, long startTimestamp, long endTimestamp, TimeSpan? cpuTime)
    {
        var elapsed = endTimestamp - startTimestamp;
        _batches++;
        _items += count;
        _failed += failed;
        _busyTicks += elapsed;
        if (cpuTime is { } c)
        {
            _cpuTicks += c.Ticks;
        }
        else
        {
            _cpuComplete = false;
        }

        if (_recorder.TryReserveTimelineEvent())
        {
            var clock = _recorder.Clock;
            _timeline.Add(new TimelineEvent(Id, firstIndex, count, failed, clock.SinceStart(startTimestamp), clock.ToDuration(startTimestamp, endTimestamp), cpuTime));
        }

        Adapt(count, elapsed);
    }

    // Grow while batches are short and full; shrink when they overshoot. The target keeps per-batch overhead
    // (taking items, two clock reads, bookkeeping) a small fraction of the work while limiting end-of-run imbalance.
    private void Adapt(int count, long elapsed)
    {
        if (elapsed < _targetBatchTimestamps / 2 && count >= _adaptiveBatch)
        {
            _adaptiveBatch = Math.Min(_adaptiveBatch * 2, MaxAdaptiveBatch);
        }
        else if (elapsed > _targetBatchTimestamps * 2 && _adaptiveBatch > 1)
        {
            _adaptiveBatch /= 2;
        }
    }

    internal WorkerReport ToReport() => new(
        Id,
        Name,
        Location,
        _batches,
        _items,
        _failed,
        _recorder.Clock.ToDuration(0, _busyTicks),
        _cpuComplete && _batches > 0 ? TimeSpan.FromTicks(_cpuTicks) : null);
}
