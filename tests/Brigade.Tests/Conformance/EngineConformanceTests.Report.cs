using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Conformance;

// What the report says must add up: items, workers, width, timeline, progress.
public abstract partial class EngineConformanceTests
{
    [Theory]
    [InlineData(FailureMode.Continue)]
    [InlineData(FailureMode.StopOnFirstFailure)]
    public async Task Report_AfterRun_CountsWorkersAndTimelineAddUp(FailureMode failureMode)
    {
        const int batch = 3;
        var width = WidthFor(Width);
        var items = Range(600);
        var ran = new int[items.Length];
        var running = 0;
        var maxRunning = 0;

        var result = await Runner.MapAsync(items, x =>
        {
            var now = Interlocked.Increment(ref running);
            int max;
            while (now > (max = Volatile.Read(ref maxRunning)) && Interlocked.CompareExchange(ref maxRunning, now, max) != max)
            {
            }

            Interlocked.Increment(ref ran[x]);
            Thread.SpinWait(200);
            Interlocked.Decrement(ref running);
            return x % 97 == 50 ? throw new InvalidOperationException($"item {x} broke") : x;
        }, Options(width, batch, failureMode)).Bounded();

        var report = result.Report;
        Assert.Equal(items.Length, report.Items);
        Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
        Assert.Equal(width, report.DegreeOfParallelism);
        Assert.Equal(batch, report.BatchSize);
        Assert.InRange(maxRunning, 1, report.DegreeOfParallelism);

        // Workers: ids 0..n-1, never more than the width, and their counters sum to the run's.
        Assert.InRange(report.Workers.Count, 1, report.DegreeOfParallelism);
        Assert.Equal(Enumerable.Range(0, report.Workers.Count), report.Workers.Select(w => w.Id));
        Assert.InRange(report.WorkerCount, 1, report.Workers.Count);
        Assert.Equal(report.Succeeded + report.Failed, report.Workers.Sum(w => w.Items));
        Assert.Equal(report.Failed, report.Workers.Sum(w => w.Failed));
        Assert.Equal(report.Batches, report.Workers.Sum(w => w.Batches));
        Assert.All(ran, count => Assert.InRange(count, 0, 1));
        Assert.Equal(report.Succeeded + report.Failed, ran.Sum());

        // Timeline: one event per batch, covering exactly the items that ran, each once, in start order.
        Assert.False(report.TimelineTruncated);
        Assert.Equal(report.Batches, report.Timeline.Count);
        var covered = new int[items.Length];
        foreach (var e in report.Timeline)
        {
            Assert.InRange(e.Count, 1, batch);
            Assert.InRange(e.WorkerId, 0, report.Workers.Count - 1);
            Assert.True(e.Start >= TimeSpan.Zero);
            Assert.True(e.Duration >= TimeSpan.Zero);
            for (var i = e.FirstIndex; i < e.FirstIndex + e.Count; i++)
            {
                covered[i]++;
            }
        }

        Assert.Equal(ran, covered);
        Assert.Equal(report.Failed, report.Timeline.Sum(e => e.Failed));
        Assert.Equal(report.Timeline.OrderBy(e => e.Start), report.Timeline);

        if (failureMode == FailureMode.Continue)
        {
            Assert.Equal(0, report.NotRun);
            Assert.Equal(items.Count(x => x % 97 == 50), report.Failed);
            Assert.False(report.StoppedOnFailure);
        }
        else
        {
            Assert.True(report.StoppedOnFailure);
            Assert.InRange(report.Failed, 1, items.Length);
            Assert.True(report.NotRun > 0);
        }
    }

    [Fact]
    public async Task Report_MoreBatchesThanTimelineCap_KeepsExactlyCapAndSaysTruncated()
    {
        var options = Options(batchSize: 1);
        options.MaxTimelineEvents = 5;

        var report = (await Runner.MapAsync(Range(200), Transform, options).Bounded()).Report;

        Assert.Equal(200, report.Batches);
        Assert.True(report.TimelineTruncated);
        Assert.Equal(5, report.Timeline.Count);
        if (IsSingleWorker)
        {
            Assert.Equal([0L, 1L, 2L, 3L, 4L], report.Timeline.Select(e => e.FirstIndex));
        }
    }

    [Fact]
    public async Task Report_BatchesWithinTimelineCap_RecordsEveryBatchOfEveryWorker()
    {
        // Every worker's first item waits until all workers are in, so every worker records batches: a worker must
        // not reserve timeline room that the others then lack.
        var width = WidthFor(Width);
        using var allIn = new Barrier(width);
        var options = Options(width, batchSize: 1);
        options.MaxTimelineEvents = 50;

        var report = (await Runner.MapAsync(Range(50), x =>
        {
            if (x < width && !allIn.SignalAndWait(TestTimeouts.Generous))
            {
                throw new TimeoutException("The workers never all ran at once.");
            }

            return x;
        }, options).Bounded()).Report;

        Assert.True(report.IsSuccess);
        Assert.Equal(50, report.Batches);
        Assert.Equal(width, report.WorkerCount);
        Assert.False(report.TimelineTruncated);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), report.Timeline.Select(e => e.FirstIndex).Order());
    }

    [Fact]
    public async Task Report_TimelineOff_RecordsNoEventsAndIsNotTruncated()
    {
        var options = Options(batchSize: 1);
        options.CollectTimeline = false;

        var report = (await Runner.MapAsync(Range(100), Transform, options).Bounded()).Report;

        Assert.Equal(100, report.Batches);
        Assert.Empty(report.Timeline);
        Assert.False(report.TimelineTruncated);
    }

    [Theory]
    [InlineData(InputShape.Array)]
    [InlineData(InputShape.AsyncEnumerable)]
    public async Task Progress_RunFinishes_FinalReportHasEveryItemCompleted(InputShape shape)
    {
        var progress = new RecordingProgress();
        var options = Options();
        options.Progress = progress;

        await MapAsync(shape, Range(500), asyncWork: false, x => x == 3 ? throw new InvalidOperationException() : x, options).Bounded();

        var last = Assert.IsType<RunProgress>(progress.Reports[^1]);
        Assert.Equal(500, last.Completed);
        Assert.Equal(1, last.Failed);
        Assert.Equal(0, last.Running);
        Assert.Equal(shape == InputShape.Array ? 500 : null, last.Total);
    }
}
