using Brigade.Testing.Conformance.Work;

namespace Brigade.Testing.Conformance.Cases;

/// <summary>What the report says must add up: items, workers, width, timeline, progress.</summary>
internal static class ReportCases
{
    private const string Area = "Report";

    public static IEnumerable<ConformanceCase> All =>
    [
        new(Area, "AfterRun_CountsWorkersAndTimelineAddUp", "After a run with failures, with and without StopOnFirstFailure: counts, workers and the timeline add up, and no more items ran at once than the width.", CountsAddUpAsync),
        new(Area, "MoreBatchesThanTimelineCap_KeepsExactlyCapAndSaysTruncated", "More batches than MaxTimelineEvents: the timeline keeps exactly the cap and says it was truncated.", TimelineCapAsync),
        new(Area, "BatchesWithinTimelineCap_RecordsEveryBatchOfEveryWorker", "Every worker's batches are recorded when they fit under the cap: no worker reserves room the others then lack.", TimelineEveryWorkerAsync, excludedBy: EngineCapabilities.AdaptsWidth),
        new(Area, "TimelineOff_RecordsNoEventsAndIsNotTruncated", "With the timeline off: no events, not truncated, batches still counted.", TimelineOffAsync),
        new(Area, "Progress_RunFinishes_FinalReportHasEveryItemCompleted", "Progress reports end with every item completed, the failures counted and nothing running.", ProgressAsync),
    ];

    private static async Task CountsAddUpAsync(CaseContext c)
    {
        const int Batch = 3;
        foreach (var failureMode in new[] { FailureMode.Continue, FailureMode.StopOnFirstFailure })
        {
            c.Variant = failureMode.ToString();
            var width = c.Width;
            using var gate = c.NewGate();
            var items = CaseContext.Items(600, i => i with { Gate = gate.Key, Spin = 200, Fail = i.Value % 97 == 50 });
            var result = await CaseContext.Bounded(CaseContext.MapAsync(Shape.Array, items, false, c.Options(width, Batch, failureMode))).ConfigureAwait(false);
            var report = result.Report;
            c.Equal((long)items.Length, report.Items, "report's items");
            c.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun, "succeeded + failed + not run = items");
            if (c.AdaptsWidth)
            {
                c.InRange(report.DegreeOfParallelism, 1, width, "the width the engine chose");
            }
            else
            {
                c.Equal(width, report.DegreeOfParallelism, "report's width");
                c.InRange(report.Workers.Count, 1, report.DegreeOfParallelism, "workers");
            }

            c.Equal((int?)Batch, report.BatchSize, "report's batch size");

            // Workers: ids 0..n-1, and their counters sum to the run's.
            c.True(report.Workers.Count >= 1, "at least one worker");
            c.Sequence(Enumerable.Range(0, report.Workers.Count), report.Workers.Select(w => w.Id), "worker ids");
            c.InRange(report.WorkerCount, 1, report.Workers.Count, "workers that ran items");
            c.Equal(report.Succeeded + report.Failed, report.Workers.Sum(w => w.Items), "the workers' items");
            c.Equal(report.Failed, report.Workers.Sum(w => w.Failed), "the workers' failures");
            c.Equal(report.Batches, report.Workers.Sum(w => w.Batches), "the workers' batches");
            var ran = new int[items.Length];
            foreach (var v in gate.StartedValues)
            {
                ran[v]++;
            }

            c.True(ran.All(n => n <= 1), "no item ran twice");
            c.Equal(report.Succeeded + report.Failed, (long)ran.Sum(), "items that ran");

            // Timeline: one event per batch, covering exactly the items that ran, each once, in start order.
            c.True(!report.TimelineTruncated, "the timeline is complete");
            c.Equal((int)report.Batches, report.Timeline.Count, "one timeline event per batch");
            var covered = new int[items.Length];
            foreach (var e in report.Timeline)
            {
                c.InRange(e.Count, 1, Batch, "an event's item count");
                c.InRange(e.WorkerId, 0, report.Workers.Count - 1, "an event's worker");
                c.True(e.Start >= TimeSpan.Zero && e.Duration >= TimeSpan.Zero, "an event's start and duration");
                for (var i = e.FirstIndex; i < e.FirstIndex + e.Count; i++)
                {
                    covered[i]++;
                }
            }

            c.Sequence(ran, covered, "the items the timeline covers");
            c.Equal(report.Failed, report.Timeline.Sum(e => (long)e.Failed), "the timeline's failures");
            c.Sequence(report.Timeline.OrderBy(e => e.Start), report.Timeline, "the timeline in start order");
            if (failureMode == FailureMode.Continue)
            {
                c.Equal(0L, report.NotRun, "report's not run");
                c.Equal((long)items.Count(i => i.Fail), report.Failed, "report's failed");
                c.True(!report.StoppedOnFailure, "not stopped on failure");
            }
            else
            {
                c.True(report.StoppedOnFailure, "stopped on failure");
                c.InRange(report.Failed, 1L, items.Length, "report's failed");
                c.True(report.NotRun > 0, "items not run after the stop");
            }
        }
    }

    private static async Task TimelineCapAsync(CaseContext c)
    {
        var options = c.Options(batchSize: 1);
        options.MaxTimelineEvents = 5;
        var report = (await CaseContext.Bounded(CaseContext.MapAsync(Shape.Array, CaseContext.Items(200), false, options)).ConfigureAwait(false)).Report;
        c.Equal(200L, report.Batches, "batches");
        c.True(report.TimelineTruncated, "the timeline says it was truncated");
        c.Equal(5, report.Timeline.Count, "timeline events");
        if (c.IsSingleWorker)
        {
            c.Sequence([0L, 1L, 2L, 3L, 4L], report.Timeline.Select(e => e.FirstIndex), "the first batches are the ones kept");
        }
    }

    private static async Task TimelineEveryWorkerAsync(CaseContext c)
    {
        // Every worker's first item waits until all workers are in, so every worker records batches: a worker must not
        // reserve timeline room that the others then lack.
        var width = c.Width;
        using var gate = c.NewGate();
        var options = c.Options(width, batchSize: 1);
        options.MaxTimelineEvents = 50;
        var items = CaseContext.Items(50, i => i.Value < width ? i with { Gate = gate.Key, Hold = ConformanceHold.UntilStarted, HoldCount = width } : i);
        var report = (await CaseContext.Bounded(CaseContext.MapAsync(Shape.Array, items, false, options)).ConfigureAwait(false)).Report;
        c.True(report.IsSuccess, "the run succeeds");
        c.Equal(50L, report.Batches, "batches");
        c.Equal(width, report.WorkerCount, "workers that ran items");
        c.True(!report.TimelineTruncated, "the timeline is complete");
        c.Sequence(Enumerable.Range(0, 50).Select(i => (long)i), report.Timeline.Select(e => e.FirstIndex).Order(), "every batch in the timeline");
    }

    private static async Task TimelineOffAsync(CaseContext c)
    {
        var options = c.Options(batchSize: 1);
        options.CollectTimeline = false;
        var report = (await CaseContext.Bounded(CaseContext.MapAsync(Shape.Array, CaseContext.Items(100), false, options)).ConfigureAwait(false)).Report;
        c.Equal(100L, report.Batches, "batches");
        c.Equal(0, report.Timeline.Count, "timeline events");
        c.True(!report.TimelineTruncated, "not truncated");
    }

    private static async Task ProgressAsync(CaseContext c)
    {
        foreach (var shape in new[] { Shape.Array, Shape.AsyncEnumerable })
        {
            c.Variant = shape.ToString();
            var progress = new RecordingProgress();
            var options = c.Options();
            options.Progress = progress;
            var items = CaseContext.Items(500, i => i with { Fail = i.Value == 3 });
            await CaseContext.Bounded(CaseContext.MapAsync(shape, items, false, options)).ConfigureAwait(false);
            var reports = progress.Reports;
            c.True(reports.Count > 0, "progress was reported");
            var last = reports[^1];
            c.Equal(500L, last.Completed, "completed in the last report");
            c.Equal(1L, last.Failed, "failed in the last report");
            c.Equal(0L, last.Running, "running in the last report");
            c.Equal(shape == Shape.Array ? 500L : null, last.Total, "total in the last report");
        }
    }

    /// <summary>Records every report synchronously (unlike <see cref="Progress{T}"/>, which posts).</summary>
    private sealed class RecordingProgress : IProgress<RunProgress>
    {
        private readonly Lock _gate = new();
        private readonly List<RunProgress> _reports = [];

        public IReadOnlyList<RunProgress> Reports
        {
            get
            {
                lock (_gate)
                {
                    return [.. _reports];
                }
            }
        }

        public void Report(RunProgress value)
        {
            lock (_gate)
            {
                _reports.Add(value);
            }
        }
    }
}
