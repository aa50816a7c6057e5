using Brigade.Reporting;

namespace Brigade.Internal;

/// <summary>Collects a run's workers and bounds its timeline.</summary>
internal sealed class RunRecorder(RunClock clock, bool collectTimeline, int maxTimelineEvents)
{
    // Guards _workers: workers are created by engines from any thread.
    private readonly Lock _gate = new();
    private readonly List<EngineWorker> _workers = [];
    private int _timelineEvents;
    private int _timelineDropped;

    public RunClock Clock => clock;

    public bool TimelineTruncated => Volatile.Read(ref _timelineDropped) > 0;

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

    public bool TryReserveTimelineEvent()
    {
        if (!collectTimeline)
        {
            return false;
        }

        if (Interlocked.Increment(ref _timelineEvents) <= maxTimelineEvents)
        {
            return true;
        }

        Interlocked.Increment(ref _timelineDropped);
        return false;
    }

    public EngineWorker[] Workers()
    {
        lock (_gate)
        {
            return [.. _workers];
        }
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
