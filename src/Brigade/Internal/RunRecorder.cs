using Brigade.Reporting;

namespace Brigade.Internal;

/// <summary>Collects a run's workers and bounds its timeline.</summary>
internal sealed class RunRecorder(RunClock clock, bool collectTimeline, int maxTimelineEvents)
{
    // Guards _workers: workers are created by engines from any thread.
    private readonly Lock _gate = new();
    private readonly List<EngineWorker> _workers = [];
    private long _timelineRecorded;
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

    /// <summary>Reserves the timeline slot for one batch; false when the timeline is off or full.</summary>
    /// <remarks>
    /// One slot at a time, so the timeline holds exactly the first <c>maxTimelineEvents</c> batches recorded: slots
    /// reserved ahead in chunks were lost whenever the worker holding them ran fewer batches than it reserved, and
    /// the other workers' batches were dropped under the cap. The shared add is one per batch, like the source's own
    /// claim of the batch's items; once the timeline is full it is only read.
    /// </remarks>
    public bool TryReserveTimelineEvent()
    {
        if (!collectTimeline)
        {
            return false;
        }

        if (Volatile.Read(ref _timelineRecorded) < maxTimelineEvents && Interlocked.Increment(ref _timelineRecorded) <= maxTimelineEvents)
        {
            return true;
        }

        _timelineTruncated = true;
        return false;
    }

    public EngineWorker[] Workers()
    {
        lock (_gate)
        {
            return [.. _workers];
        }
    }

    /// <summary>Gets the time the run's items waited on Brigade's primitives: the waits begun inside its workers' batches
    /// (<see cref="EngineWorker.WaitSink"/>), in ticks, finished waits only.</summary>
    public long LockWaitTicks()
    {
        var ticks = 0L;
        foreach (var w in Workers())
        {
            ticks += w.WaitSink.Ticks;
        }

        return ticks;
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

    /// <summary>The workers' timelines as one, ordered by start (then first index).</summary>
    /// <remarks>Review 72: the run's report sorted all its events with a comparison delegate, after its wall time was
    /// fixed (a run of 100k one-item batches spent most of a second there, outside its WallTime). Each worker records its
    /// batches one after another, so its own list is already in order: they are merged (O(n log k) for k workers, no
    /// sort of the whole). A list out of order (a worker's clock reads equal and its indexes not rising) falls back to the sort.</remarks>
    public static List<TimelineEvent> MergeTimeline(EngineWorker[] workers)
    {
        var total = 0;
        var sorted = true;
        foreach (var w in workers)
        {
            var events = w.Timeline;
            total += events.Count;
            for (var i = 1; sorted && i < events.Count; i++)
            {
                sorted = Compare(events[i - 1], events[i]) <= 0;
            }
        }

        var all = new List<TimelineEvent>(total);
        if (!sorted)
        {
            foreach (var w in workers)
            {
                all.AddRange(w.Timeline);
            }

            all.Sort(static (a, b) => Compare(a, b));
            return all;
        }

        // Each worker's next event in a heap keyed by (start, first index, worker): ties go to the lower worker, as a stable merge.
        var heads = new PriorityQueue<int, (TimeSpan Start, long FirstIndex, int Worker)>(workers.Length);
        var next = new int[workers.Length];
        for (var k = 0; k < workers.Length; k++)
        {
            if (workers[k].Timeline is { Count: > 0 } events)
            {
                heads.Enqueue(k, (events[0].Start, events[0].FirstIndex, k));
            }
        }

        while (heads.TryDequeue(out var k, out _))
        {
            var events = workers[k].Timeline;
            all.Add(events[next[k]++]);
            if (next[k] < events.Count)
            {
                var e = events[next[k]];
                heads.Enqueue(k, (e.Start, e.FirstIndex, k));
            }
        }

        return all;
    }

    private static int Compare(in TimelineEvent a, in TimelineEvent b) =>
        a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.FirstIndex.CompareTo(b.FirstIndex);
}
