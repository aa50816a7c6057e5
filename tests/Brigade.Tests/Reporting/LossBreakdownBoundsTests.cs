using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Reporting;

/// <summary>
/// The bounds <see cref="RunReport.Losses"/> puts on process-wide and scaled-up figures, on made-up reports: a GC pause or
/// a run-queue wait cannot have taken time the workers spent on the CPU (beyond the one thread that runs a collection).
/// </summary>
public sealed class LossBreakdownBoundsTests
{
    private static RunReport TwoWorkers(double busyMs, double runQueueMs, double workersCpuMs, double processCpuMs, double gcPauseMs) => new()
    {
        Engine = "threadpool",
        DegreeOfParallelism = 2,
        Items = 2_000,
        Succeeded = 2_000,
        WallTime = Ms(10),
        WorkerCpuTime = Ms(workersCpuMs),
        ProcessCpuTime = Ms(processCpuMs),
        Workers = [Worker(0, busyMs, runQueueMs), Worker(1, busyMs, runQueueMs)],
        Counters = new LossProbe(Ms(gcPauseMs).Ticks, 0, 0),
    };

    private static WorkerReport Worker(int id, double busyMs, double runQueueMs) =>
        new(id, $"w{id}", null, 10, 1_000, 0, Ms(busyMs), null)
        {
            Timing = new WorkerTiming(TimeSpan.Zero, Ms(9), Ms(10), 990 + id, 10, Ms(runQueueMs), TimeSpan.Zero),
        };

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void RunQueueAndForeignGcPauses_DoNotTakeTheWorkersCpuTime()
    {
        // Two workers busy 10 ms each, 8 ms of it on the CPU; the scaled-up run-queue wait reads 9 ms each (more than
        // the 6 ms each was off the CPU), and the process paused 9 ms for collections while the workers had a fifth of
        // its CPU time (other threads allocated). Before the bounds, run queue and GC took all 20 ms: useful 0.
        var losses = TwoWorkers(busyMs: 10, runQueueMs: 9, workersCpuMs: 8, processCpuMs: 40, gcPauseMs: 9).Losses;

        Assert.Equal(12, losses.TimeLostTo(LossCause.WaitingForCore).TotalMilliseconds, 3);
        // 8 ms of CPU are left; of them, the collecting thread's time in proportion to the workers' share: 9 ms × 0.2.
        Assert.Equal(1.6, losses.TimeLostTo(LossCause.GcPauses).TotalMilliseconds, 3);
        Assert.Equal(6.4, losses.Useful.TotalMilliseconds, 3);
        Assert.True(losses.Speedup > 0);
    }

    [Fact]
    public void GcPauses_CountBeyondTheOffCpuTimeOnlyForTheThreadThatCollects()
    {
        // Workers on the CPU 19 of their 20 ms and all of the process's CPU; 3 ms of pauses. Weighed by the 1.9 workers on
        // the CPU the pauses would cost 5.7 ms, but a stopped worker is off the CPU (1 ms here) and only the collecting
        // thread is on it (3 ms at most): 4 ms.
        var losses = TwoWorkers(busyMs: 10, runQueueMs: 0, workersCpuMs: 19, processCpuMs: 19, gcPauseMs: 3).Losses;

        Assert.Equal(4, losses.TimeLostTo(LossCause.GcPauses).TotalMilliseconds, 3);
        Assert.Equal(16, losses.Useful.TotalMilliseconds, 3);
    }
}
