using Brigade.Auto;
using Brigade.Internal;
using Brigade.Tests.Auto;

namespace Brigade.Tests.Review49;

/// <summary>
/// Review 49 (review 48's reading order, in <see cref="BatchInspector"/>): a look at a running batch ends at the tick's
/// wall clock (<c>now</c>, taken by the controller before it inspects) and at CPU and run-queue readings taken after it,
/// which is as it should be (the CPU intervals hold the wall time's end). But the next look at the same batch started its
/// wall interval at that <c>now</c> and its CPU interval at those later readings: whatever the item computed in between
/// (the controller's other work and reads, a preemption of its thread at a high load) was in the second look's wall time
/// and on neither of its clocks, so it read as the item's own wait. A second look now starts at a timestamp taken after
/// the first look's readings.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class SecondLookReadingOrderTests
{
    // CPU the item computes in each stretch, by its thread's own CPU clock (its wall time at a high load is longer).
    private static readonly TimeSpan Stretch = TimeSpan.FromMilliseconds(40);

    [Fact]
    public void ASecondLook_AtAnItemThatComputedThroughout_ReadsItAsComputing()
    {
        if (!ThreadSchedStat.IsSupported || !ThreadCpuTime.IsSupported)
        {
            return;
        }

        // The item runs on this thread (its batch begun here, a worker's second so that its run-queue wait is read), on the
        // real clock; the thread's state is given as blocked, so that what is neither CPU nor a wait for a core counts as the
        // item's wait (a runnable thread's would be skipped or taken as a wait for a core).
        var time = TimeProvider.System;
        WorkSample? second = null;
        for (var attempt = 0; attempt < 5 && second is null; attempt++)
        {
            using var worker = new AutoWorker(0, LoopKind.Task, time, asyncWork: false) { Measure = true };
            worker.OnBatchStart();
            worker.OnBatchEnd();
            worker.OnBatchStart();
            var inspector = new BatchInspector(time, asyncWork: false, reportsExternalCpu: false, waitOf: _ => ThreadWait.Blocked);
            var collections = GC.CollectionCount(0);

            // The first tick takes its clock, then the item computes before the tick's readings (the gap a loaded
            // controller leaves), then the tick looks.
            var first = time.GetTimestamp();
            Compute(Stretch);
            inspector.Inspect([worker], first, first, out _, out _);

            // The item computes on; the second tick looks again.
            Compute(Stretch);
            var now = time.GetTimestamp();
            var running = inspector.Inspect([worker], now, first, out _, out var stalled);
            if (GC.CollectionCount(0) == collections && inspector.LookedTwice && stalled == 1)
            {
                second = running;
            }

            worker.OnBatchEnd();
        }

        // A collection in every attempt (each look skips one) would leave nothing to assert: five in a row do not happen
        // when nothing here allocates in between.
        Assert.NotNull(second);

        // Before: the first stretch was in the second look's wall time and on neither clock: cpu/wall about 0.5, waiting.
        Assert.True(second!.Value.CpuRatio > 0.8, $"the second look read an item that only computed as waiting: {second}");
    }

    // Spins until this thread's CPU clock has advanced by `cpu` (its wall time includes any wait for a core).
    private static void Compute(TimeSpan cpu)
    {
        var start = ThreadCpuTime.NowTicks();
        var x = 0UL;
        while (ThreadCpuTime.NowTicks() - start < cpu.Ticks)
        {
            for (var i = 0; i < 1_000; i++)
            {
                x = (x * 6364136223846793005UL) + 1442695040888963407UL;
            }
        }

        GC.KeepAlive(x);
    }
}
