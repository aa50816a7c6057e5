using Brigade.Auto;
using Brigade.Internal;
using Brigade.Tests.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review48Insight;

/// <summary>
/// Review 48: on a machine at load 30 (CI: four test hosts on 2 cores) auto mode planned <c>x + 1</c> as "blocking I/O
/// (cpu/wall 0.10)" (ci119). The run-queue wait was already taken out of the items' off-CPU time; what was left was the
/// sampler's own readings. Batches of tiny items are measured only when they last 25 µs or more, which on a loaded
/// machine means the batches that waited for a core: their wait came off, and what remained beside the items' microsecond
/// of CPU was the readings taken after the wall clock started and before the CPU clock did (the run-queue file's read,
/// the allocation, pause and compile counters): CPU time on neither clock, counted as the items' own waits.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class LoadedMachineSampleTests
{
    private const int MeasuredBatches = 30;

    [Fact]
    public async Task ShortCpuBoundBatches_MeasuredWhileMoreBusyThreadsThanCores_AreCpuBound()
    {
        if (!ThreadSchedStat.IsSupported || !ThreadCpuTime.IsSupported)
        {
            return; // no run-queue figures (not Linux): the plain ratio is used, with that caveat (docs/auto-mode.md)
        }

        // A measurement: up to three tries (one in eight read cpu/wall 0.65 beside four more busy loops, preempted between
        // two readings; before review 48 every try read 0.44-0.76).
        await Measured.UpToThreeTimesAsync(_ =>
        {
            MeasureOnce();
            return Task.CompletedTask;
        });
    }

    private static void MeasureOnce()
    {
        using var stop = new CancellationTokenSource();
        var busy = Enumerable.Range(0, (2 * Environment.ProcessorCount) + 2).Select(_ => new Thread(() =>
        {
            var h = 0L;
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < 10_000; i++)
                {
                    h = (h * 31) + i;
                }
            }

            GC.KeepAlive(h);
        }) { IsBackground = true, Name = "review48 busy" }).ToList();
        busy.ForEach(static t => t.Start());
        try
        {
            // Batches of 16 items of a few hundred nanoseconds (about 5 µs a batch) on a worker of its own, as a pool loop runs
            // them, until enough of them were measured: each one a batch that waited for a core (the others are too short to
            // be read), which the batch's few microseconds of computing make frequent enough. Bounded by a generous time
            // that only a machine giving this thread almost no core waits out.
            using var worker = new AutoWorker(0, LoopKind.Task, TimeProvider.System, asyncWork: false) { Measure = true };
            var sink = 0L;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (worker.Totals.MeasuredBatches < MeasuredBatches && DateTime.UtcNow < deadline)
            {
                worker.OnBatchStart();
                for (var item = 0; item < 16; item++)
                {
                    for (var i = 0; i < 250; i++)
                    {
                        sink = (sink * 31) + i;
                    }
                }

                worker.OnBatchEnd();
                worker.Complete(16);
            }

            GC.KeepAlive(sink);
            var totals = worker.Totals;
            Assert.True(totals.MeasuredBatches >= MeasuredBatches, $"only {totals.MeasuredBatches} batches were measured in 60 s");
            var figures = $"{totals.MeasuredBatches} measured batches: wall {totals.MeasuredWallTicks / 10.0:0} µs, cpu {totals.CpuTicks / 10.0:0} µs, " +
                $"run queue {totals.RunQueueTicks / 10.0:0} µs, GC {totals.GcPauseTicks / 10.0:0} µs, own waits {totals.WaitTicks / 10.0:0} µs, cpu/wall {totals.CpuRatio:0.00}";
            Assert.True(AutoPlanner.Classify(totals) == WorkloadClass.CpuBound, $"short CPU-bound batches read as {AutoPlanner.Classify(totals)}: {figures}");

            // And clearly so: the ratio a monitor window needs to take a blocking plan back to the cores. Before review 48 the
            // readings' few microseconds beside the batches' own read 0.4-0.6 at load 25-170, now and then 0.75 or more.
            Assert.True(totals.CpuRatio >= AutoTuning.ClearlyCpuBound, $"short CPU-bound batches read cpu/wall {totals.CpuRatio:0.00}: {figures}");
        }
        finally
        {
            stop.Cancel();
            busy.ForEach(static t => t.Join());
        }
    }
}
