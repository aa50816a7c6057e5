using Brigade.Reporting;

namespace Brigade.Internal;

/// <summary>Collects a run's workers and bounds its timeline.</summary>
internal sealed class RunRecorder(RunClock clock, bool collectTimeline, int maxTimelineEvents)
{
    // Workers reserve timeline slots in chunks so that recording a batch touches no shared state.
    private const int TimelineChunk = 256;

    // Guards _workers: workers are created by engines from any thread.
    private readonly Lock _gate = new();
    private readonly List<EngineWorker> _workers = [];
    private long _timelineReserved;
    private volatile bool _timelineTruncated;

    public RunClock Clock => clock;

    public bool TimelineTruncated => _timelineTruncated;

    public EngineWorker CreateWorker(string? name, TimeSpan targetBatchDuration)
    {
        lock (_gate)
        {
            var id = _workers.Count;
            var worker = new EngineWorker(this, id, name ?? $"worker {id}", targetBatchDuration);
            _workers.Add(worker);
            return worker;
        }
    }

    /// <summary>Reserves up to a chunk of timeline slots; 0 when the timeline is off or full.</summary>
    public int ReserveTimelineEvents()
    {
        if (!collectTimeline)
        {
            return 0;
        }

        var granted = 0;
        if (Volatile.Read(ref _timelineReserved) < maxTimelineEvents)
        {
            var start = Interlocked.Add(ref _timelineReserved, TimelineChunk) - TimelineChunk;
            granted = (int)Math.Clamp(maxTimelineEvents - start, 0, TimelineChunk);
        }

        if (granted == 0)
        {
            _timelineTruncated = true;
        }

        return granted;
    }

    public EngineWorker[] Workers()
    {
        lock (_gate)
        {
            return [.. _workers];
        }
    }

    public (long Ran, long Failed) Totals()
    {
        long ran = 0, failed = 0;
        foreach (var w in Workers())
        {
            ran += w.ItemsRun;
            failed += w.ItemsFailed;
        }

        return (ran, failed);
    }

    public static List<TimelineEvent> MergeTimeline(EngineWorker[] workers)
    {
        var all = new List<TimelineEvent>();
        foreach (var w in workers)
        {
            all.AddRange(w.Timeline);
        }

        all.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.FirstIndex.CompareTo(b.FirstIndex));
        return all;
    }
}
