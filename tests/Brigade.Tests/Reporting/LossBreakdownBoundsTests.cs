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
    [Fact]
    public void TimedPlainLockWaits_DoNotTakeTheWorkersCpuTime()
    {
        // Real plain-lock waits in the run's window (the runtime's contention events), on a made-up report of a busy
        // machine: two workers busy 10 ms each, 16 ms of it on the CPU, 3 ms each waiting for a core, every batch
        // contended (off the CPU 5 ms each, run-queue wait included). A timed wait ends when its thread runs again, so
        // it holds that wait for a core, counted already; capped only by the batches' time, the waits took the CPU time
        // too and useful read 0.
        Assert.True(RunLosses.StartTimingPlainLocks());
        var start = DateTimeOffset.UtcNow;
        var gate = new object();
        using var held = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            lock (gate)
            {
                held.Set();
                Thread.Sleep(60);
            }
        });
        holder.Start();
        held.Wait();
        lock (gate)
        {
        }

        holder.Join();
        Thread.Sleep(20);
        var wall = DateTimeOffset.UtcNow - start;
        var report = new RunReport
        {
            Engine = "threadpool",
            DegreeOfParallelism = 2,
            Items = 2_000,
            Succeeded = 2_000,
            StartedAt = start,
            WallTime = wall,
            WorkerCpuTime = Ms(16),
            ProcessCpuTime = Ms(16),
            Workers = [Contended(0), Contended(1)],
            Counters = new LossProbe(0, MonitorContentions: 1, 0),
        };

        // The waits were timed (the main thread's ~60 ms), so the figures below went through the timed branch.
        Assert.True(PlainLockWaits.Waited(start.UtcDateTime, (start + wall).UtcDateTime, contentions: -1) > Ms(10));
        var losses = report.Losses;

        // Off the CPU: 20 - 16 = 4 ms, all of it waiting for a core (6 ms scaled, bounded by the 4): no time is left for
        // the lock waits inside batches, and the workers' 16 ms of CPU stay useful.
        Assert.Equal(16, losses.Useful.TotalMilliseconds, 3);
    }

    private static WorkerReport Contended(int id) =>
        new(id, $"w{id}", null, 10, 1_000, 0, Ms(10), null)
        {
            Timing = new WorkerTiming(TimeSpan.Zero, Ms(9), Ms(10), 990 + id, 10, Ms(3), Ms(5)),
        };
}
