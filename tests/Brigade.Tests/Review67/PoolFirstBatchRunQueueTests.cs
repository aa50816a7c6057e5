using Brigade.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Review67;

/// <summary>
/// Review 67: review 66b made a dedicated thread's run-queue readings start at its first batch, so that a long first
/// batch that slept is not given the wait the short batches after it measured, scaled up to the worker's whole span. A
/// worker on the thread pool (Engine.ThreadPool, Sequential, Async: TaskEngine's loop, and auto mode's) kept the old
/// readings: its first at the first batch's end, the first batch left out of the time they covered, and the stretch
/// (measured wait × span ÷ covered) gave a 20 s sleep the wait of the few milliseconds after it × thousands.
/// The worker's clock is a fake one here: the readings' coverage is what is asserted, not any wait (no timing).
/// </summary>
public sealed class PoolFirstBatchRunQueueTests
{
    [Fact]
    public void ALongFirstBatchOnAPoolWorker_IsCoveredByTheReadings()
    {
        if (!ThreadSchedStat.IsSupported)
        {
            return; // no run-queue wait is read off Linux
        }

        var time = new FakeTimeProvider();
        var clock = new RunClock(time);
        clock.Start();
        var worker = new RunRecorder(clock, collectTimeline: false, maxTimelineEvents: 0).CreateWorker("threadpool worker 0", TimeSpan.FromMilliseconds(1));

        // A first batch of 20 s (a blocking command), then four of 2 ms each, all on this one thread.
        worker.BeginBatch();
        time.Advance(TimeSpan.FromSeconds(20));
        worker.EndBatch(0, 1, 0);
        for (var i = 1; i <= 4; i++)
        {
            worker.BeginBatch();
            time.Advance(TimeSpan.FromMilliseconds(2));
            worker.EndBatch(i, 1, 0);
        }

        // Before: the readings covered the four short batches' 8 ms of the 20.008 s span, and their wait was scaled up 2,500 times.
        Assert.True(worker.RunQueueCovered >= TimeSpan.FromSeconds(20), $"the run-queue readings covered {worker.RunQueueCovered} of a 20.008 s span");
        var timing = worker.ToReport().Timing!.Value;
        Assert.Equal(TimeSpan.FromSeconds(20.008), timing.LastEnd - timing.FirstStart);
    }

    [Fact]
    public void APoolWorkersFirstBatch_IsReadOnce()
    {
        if (!ThreadSchedStat.IsSupported)
        {
            return;
        }

        // Batches shorter than the readings' interval (1 ms) are not read at each end: the first batch's reading at its
        // start is the only one until a millisecond has passed, then the usual readings cover everything since it.
        var time = new FakeTimeProvider();
        var clock = new RunClock(time);
        clock.Start();
        var worker = new RunRecorder(clock, collectTimeline: false, maxTimelineEvents: 0).CreateWorker("threadpool worker 0", TimeSpan.FromMilliseconds(1));
        for (var i = 0; i < 20; i++)
        {
            worker.BeginBatch();
            time.Advance(TimeSpan.FromMicroseconds(100));
            worker.EndBatch(i, 1, 0);
        }

        // 2 ms of batches: read at the first batch's start, at 1 ms and at 2 ms: all of it covered.
        Assert.Equal(TimeSpan.FromMilliseconds(2), worker.RunQueueCovered);
    }
}
