using System.Diagnostics;
using Brigade.Auto;
using Brigade.Engines.Remote;
using Brigade.Reporting;

namespace Brigade.Tests.Review65Procs;

/// <summary>
/// Auto mode on worker processes classes the work from the CPU the workers used against their own time on their batches
/// (review 64b). On a loaded machine that time holds each worker's waits for a core, which are neither its work nor waits of
/// its own: a 3 ms hashing item (CPU-bound) read "mixed" at cpu/wall 0.37 at load 12 on 2 cores (`brigade advise --engines
/// processes`, before review 65). The worker now reports its thread's run-queue wait with each chunk, and the sample leaves
/// it out as it does a thread's.
/// </summary>
public sealed class IsolatedSampleRunQueueTests
{
    // 400 items of the hashing work on one of two workers at load 12: the host saw 2.8 s, the worker spent 2.6 s on them,
    // 1.0 s of it on a core and 1.5 s waiting for one.
    private static WorkerReport Worker(TimeSpan cpu) =>
        new(1, "process 1", "pid 1", Batches: 40, Items: 400, Failed: 0, BusyTime: TimeSpan.FromSeconds(2.8), CpuTime: cpu);

    [Fact]
    public void CpuBoundWork_WhoseWorkerWaitedForACore_IsCpuBound()
    {
        var sample = IsolatedSample.Of(Worker(TimeSpan.FromSeconds(1.0)), new RemoteWorkerTime(TimeSpan.FromSeconds(2.6), TimeSpan.FromSeconds(1.5)));

        Assert.Equal(WorkloadClass.CpuBound, AutoPlanner.Classify(sample));
        Assert.InRange(sample.CpuRatio, 0.85, 1.0);
        Assert.Equal(TimeSpan.FromSeconds(1.5).Ticks, sample.RunQueueTicks);
    }

    [Fact]
    public void TheSameFigures_WithoutTheWait_ReadAsMixed()
    {
        // What the host had before review 65: the worker's time alone.
        var sample = IsolatedSample.Of(Worker(TimeSpan.FromSeconds(1.0)), new RemoteWorkerTime(TimeSpan.FromSeconds(2.6), null));

        Assert.NotEqual(WorkloadClass.CpuBound, AutoPlanner.Classify(sample));
        Assert.Equal(0, sample.RunQueueTicks);
    }

    [Fact]
    public void TimePerItem_LeavesTheWaitOut()
    {
        var sample = IsolatedSample.Of(Worker(TimeSpan.FromSeconds(1.0)), new RemoteWorkerTime(TimeSpan.FromSeconds(2.6), TimeSpan.FromSeconds(1.5)));

        // (2.6 s - 1.5 s) / 400 items = 2.75 ms, not 6.5 ms.
        Assert.InRange(sample.TimePerItem.TotalMilliseconds, 2.7, 2.8);
    }

    [Fact]
    public void WorkThatWaits_StaysBlocking_WhateverItsWaitForACore()
    {
        // 50 items of a 20 ms sleep: 6 ms of CPU, 4 ms of it waiting for a core.
        var report = new WorkerReport(1, "process 1", "pid 1", Batches: 5, Items: 50, Failed: 0, BusyTime: TimeSpan.FromSeconds(1.04), CpuTime: TimeSpan.FromMilliseconds(6));
        var sample = IsolatedSample.Of(report, new RemoteWorkerTime(TimeSpan.FromSeconds(1.01), TimeSpan.FromMilliseconds(4)));

        Assert.Equal(WorkloadClass.Blocking, AutoPlanner.Classify(sample));
    }

    [Fact]
    public void AWaitLongerThanTheWorkersTime_IsCappedAtIt()
    {
        var sample = IsolatedSample.Of(Worker(TimeSpan.FromSeconds(1.0)), new RemoteWorkerTime(TimeSpan.FromSeconds(2.6), TimeSpan.FromSeconds(9)));

        Assert.Equal(TimeSpan.FromSeconds(2.6).Ticks, sample.RunQueueTicks);
        Assert.True(sample.TimePerItem >= sample.CpuTimePerItem);
    }

    [Fact]
    public async Task AnIsolatedEngineWhoseWorkersReportTheirWait_IsClassedFromTheirOwnTime()
    {
        // A stand-in for worker processes (no process started): each batch's worker spends 10 ms on it, 2 ms of it on a
        // core and 8 ms waiting for one. Without the wait the work read cpu/wall 0.20, blocking.
        var options = new AutoEngineOptions { UsePlanCache = false, IsolatedEngine = new LoadedPipeEngine() };

        var result = await Runner.MapAsync(Enumerable.Range(0, 40).ToArray(), x => x, new RunOptions { Engine = Engine.CreateAuto(options) })
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.Report.IsSuccess);
        Assert.Equal(WorkloadClass.CpuBound, Assert.Single(result.Report.Plans).Class);
    }

    /// <summary>Runs nothing itself: every batch "comes back" after at least 20 ms with the worker's own figures.</summary>
    private sealed class LoadedPipeEngine : Engine
    {
        public override string Name => "loaded-pipe";

        public override int GetDefaultDegreeOfParallelism() => 1;

        protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            var worker = job.CreateWorker(TimeSpan.FromMilliseconds(10), "process 1");
            var pipe = TimeSpan.FromMilliseconds(20);
            while (job.TakeBatch(worker, 10) is { IsEmpty: false } batch)
            {
                var sent = job.GetTimestamp();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < pipe)
                {
                    await Task.Delay(pipe - clock.Elapsed).ConfigureAwait(false);
                }

                worker.RecordRemoteBusy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(8));
                await job.CompleteBatchAsync(worker, batch, batch.Count, new TOut[batch.Count], null, sent, TimeSpan.FromMilliseconds(2)).ConfigureAwait(false);
            }
        }
    }
}
