using Brigade.Diagnostics;
using Brigade.Internal;

namespace Brigade.Tests.Review66Procs;

/// <summary>
/// Review 66: the run-queue wait of a thread was read in three places (the engine's worker loops, a worker process's
/// chunks, the livelock watchdog), each with its own cache of the thread's procfs file. They share one clock now: the
/// calling thread's readings reuse the thread's kept reader and say when the thread changed; another thread's readings
/// open its file once and again only for another thread.
/// </summary>
public sealed class RunQueueClockTests
{
    [Fact]
    public void TheCallingThreadsReadings_SayWhenTheThreadChanged_AndNeverGoBack()
    {
        if (!ThreadSchedStat.IsSupported)
        {
            return;   // not Linux, or a kernel without scheduler statistics: every reading is -1 (nothing to compare)
        }

        var clock = new RunQueueClock();

        var first = clock.ReadCurrentThread(out var moved);
        Assert.True(moved);
        Assert.True(first >= 0);
        var second = clock.ReadCurrentThread(out moved);
        Assert.False(moved);
        Assert.InRange(second, first, long.MaxValue);

        bool movedThere = false;
        long there = -1;
        var other = new Thread(() => there = clock.ReadCurrentThread(out movedThere));
        other.Start();
        other.Join();
        Assert.True(movedThere);
        Assert.True(there >= 0);
        Assert.True(clock.ReadCurrentThread(out moved) >= 0);
        Assert.True(moved);

        // The thread's own reader is the thread's (kept across runs and clocks): closing the clock leaves it open.
        clock.Close();
        Assert.True(RunQueueClock.ReadCallingThread() >= second);
    }

    [Fact]
    public void AnotherThreadsReadings_FollowTheThreadIdGiven_AndUnknownIsMinusOne()
    {
        if (!ThreadSchedStat.IsSupported)
        {
            return;   // not Linux, or a kernel without scheduler statistics: every reading is -1 (nothing to compare)
        }

        var clock = new RunQueueClock();
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var tid = -1;
        var other = new Thread(() =>
        {
            tid = ThreadSchedStat.CurrentThreadId();
            started.Set();
            release.Wait();
        });
        other.Start();
        started.Wait();

        try
        {
            Assert.True(clock.ReadThread(tid) >= 0);
            Assert.True(clock.ReadThread(ThreadSchedStat.CurrentThreadId()) >= 0);
            Assert.Equal(-1, clock.ReadThread(-1));
            Assert.True(clock.ReadThread(tid) >= 0);
        }
        finally
        {
            release.Set();
            other.Join();
        }

        clock.Close();
        Assert.Equal(-1, clock.ReadThread(0));
    }
}
