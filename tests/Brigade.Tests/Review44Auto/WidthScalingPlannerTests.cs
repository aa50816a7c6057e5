using Brigade.Auto;

namespace Brigade.Tests.Review44Auto;

/// <summary>
/// Width 1 against more for CPU-bound work (review 44): items that cost more CPU beside another worker than alone (a
/// <c>ConcurrentDictionary</c> on a few keys, one <c>Interlocked</c> counter, false sharing) are planned on one worker when
/// the width would not finish them faster (<see cref="AutoPlanner.MinWidthGain"/>). Recorded figures, no clock, no threads.
/// </summary>
public sealed class WidthScalingPlannerTests
{
    private static PlanContext Context(int cores = 2, long? items = 2_000_000, int? maxWidth = null, double? cachedGrowth = null) => new()
    {
        Cores = cores,
        Options = new AutoEngineOptions(),
        ItemCount = items,
        MaxDegreeOfParallelism = maxWidth,
        CpuGrowth = cachedGrowth,
    };

    // A sample of tiny CPU-bound items: soloBatches measured batches of 4,096 items alone at soloNs of CPU each, and
    // besideBatches of 4,096 beside another worker at besideNs; cpu/wall 0.97 throughout, as measured on contention.
    private static WorkSample Sample(double soloNs, double besideNs, int soloBatches = 4, int besideBatches = 6)
    {
        const long PerBatch = 4_096;
        var soloItems = soloBatches * PerBatch;
        var besideItems = besideBatches * PerBatch;
        var soloCpu = (long)(soloNs * soloItems / 100);
        var besideCpu = (long)(besideNs * besideItems / 100);
        var cpu = soloCpu + besideCpu;
        var wall = (long)(cpu / 0.97);
        return new WorkSample
        {
            Items = soloItems + besideItems,
            Batches = soloBatches + besideBatches,
            WallTicks = wall,
            MeasuredItems = soloItems + besideItems,
            MeasuredBatches = soloBatches + besideBatches,
            MeasuredWallTicks = wall,
            CpuTicks = cpu,
            SoloItems = soloItems,
            SoloBatches = soloBatches,
            SoloCpuTicks = soloCpu,
        };
    }

    [Fact]
    public void ContendedItems_TwiceTheCpuBesideAnother_AreOneWorker_AndTheLineSaysWhy()
    {
        // Review 41's ConcurrentDictionary on 1,024 shared keys, shape of the figures: ~40 ns alone, ~110 ns beside.
        var decision = AutoPlanner.Decide(Sample(soloNs: 40, besideNs: 110), Context())!;

        Assert.Equal(WorkloadClass.CpuBound, decision.Class);
        Assert.Equal("threadpool", decision.Engine);
        Assert.Equal(1, decision.Width);
        Assert.StartsWith("ThreadPool ×1, ", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("one worker, not 2: an item took 110 ns of CPU beside another worker against 40 ns alone (2.8×", decision.Explanation, StringComparison.Ordinal);
        Assert.Equal(2.75, decision.CpuGrowth!.Value, 2);
    }

    [Fact]
    public void OnABusyMachine_ContendedItemsKeepTheCores()
    {
        // Load 18 on 2 cores, 78% of the sample's time waiting for a core: the two workers are seldom on the cores together,
        // and the second is a second share of the machine (false sharing: 3.1× in the sample, two workers 0.4–0.8 of one's time).
        var busy = Sample(soloNs: 75, besideNs: 231);
        busy = busy with { MeasuredWallTicks = busy.MeasuredWallTicks * 5, RunQueueTicks = busy.MeasuredWallTicks * 4 };

        Assert.True(busy.Contention > AutoPlanner.ScalingBusyMax);
        var decision = AutoPlanner.Decide(busy, Context())!;
        Assert.Equal(WorkloadClass.CpuBound, decision.Class);
        Assert.Equal(2, decision.Width);
    }

    [Fact]
    public void GcPausesBesideAnotherWorker_AreNotContention()
    {
        // Regex over lines, 504 B allocated per item, as measured at load 14: 224 ns alone (no collection yet in the first
        // millisecond), 423 ns beside, of which the collections the allocating thread ran on its own clock. Before the GC
        // pauses came off, 1.9×: one worker.
        var sample = Sample(soloNs: 224, besideNs: 423);
        sample = sample with { GcPauseTicks = (long)(sample.BesideItems * 190 / 100.0), MeasuredWallTicks = sample.MeasuredWallTicks + (long)(sample.BesideItems * 190 / 100.0) };

        Assert.Equal(1.04, AutoPlanner.CpuGrowth(sample)!.Value, 2);
        Assert.Equal(2, AutoPlanner.Decide(sample, Context())!.Width);

        // Pauses alone count against the alone figure the same way.
        var alone = sample with { SoloGcPauseTicks = sample.SoloCpuTicks / 2, GcPauseTicks = sample.GcPauseTicks + (sample.SoloCpuTicks / 2) };
        Assert.True(AutoPlanner.CpuGrowth(alone) > 2);
    }

    [Fact]
    public void ItemsThatShareNothing_KeepTheCores()
    {
        var decision = AutoPlanner.Decide(Sample(soloNs: 40, besideNs: 42), Context())!;

        Assert.Equal(2, decision.Width);
        Assert.DoesNotContain("one worker", decision.Explanation, StringComparison.Ordinal);
        Assert.Equal(1.05, decision.CpuGrowth!.Value, 2);
    }

    [Fact]
    public void HyperthreadsOfOneCore_StillGain_AndKeepTheCores()
    {
        // Each item 1.6× slower beside the other (two hyperthreads of one core): 2 / 1.6 = 1.25× the throughput of one.
        Assert.Equal(2, AutoPlanner.Decide(Sample(soloNs: 100, besideNs: 160), Context())!.Width);

        // At the bound: 2 / 1.9 = 1.05, under MinWidthGain.
        Assert.Equal(1, AutoPlanner.Decide(Sample(soloNs: 100, besideNs: 190), Context())!.Width);
    }

    [Fact]
    public void ManyCores_GainEvenWhenEachItemCostsMore()
    {
        // 8 workers at 3× the CPU per item still finish items 2.7× as fast as one.
        Assert.Equal(8, AutoPlanner.Decide(Sample(soloNs: 40, besideNs: 120), Context(cores: 8))!.Width);

        // At 8× they do not.
        Assert.Equal(1, AutoPlanner.Decide(Sample(soloNs: 40, besideNs: 320), Context(cores: 8))!.Width);
    }

    [Theory]
    [InlineData(1, 6)]
    [InlineData(4, 1)]
    public void TooFewBatchesOnEitherSide_TellNothing_AndTheCoresStay(int soloBatches, int besideBatches)
    {
        var sample = Sample(soloNs: 40, besideNs: 200, soloBatches, besideBatches);

        Assert.False(AutoPlanner.ScalingMeasured(sample));
        Assert.Null(AutoPlanner.CpuGrowth(sample));
        Assert.Equal(2, AutoPlanner.Decide(sample, Context())!.Width);
    }

    [Fact]
    public void TooLittleCpuOnEitherSide_TellsNothing()
    {
        // 2 batches of 4,096 items at 10 ns: 82 µs of CPU alone, under MinScalingCpu.
        var sample = Sample(soloNs: 10, besideNs: 40, soloBatches: 2);

        Assert.Null(AutoPlanner.CpuGrowth(sample));
        Assert.Equal(2, AutoPlanner.Decide(sample, Context())!.Width);
    }

    [Fact]
    public void ACachedPlansGrowth_DecidesWhenTheSampleCannot()
    {
        // A run from the plan cache never runs items alone: the growth remembered with the plan decides, and is carried on.
        var cached = WorkSample.FromPerItem(100_000, wallPerItem: TimeSpan.FromTicks(1), cpuPerItem: TimeSpan.FromTicks(1));
        var decision = AutoPlanner.Decide(cached, Context(cachedGrowth: 2.5) with { FromCache = true })!;

        Assert.Equal(1, decision.Width);
        Assert.Equal(2.5, decision.CpuGrowth);
        Assert.EndsWith("(cached plan)", decision.Explanation, StringComparison.Ordinal);

        // The sample's own figures win over the cache's.
        Assert.Equal(2, AutoPlanner.Decide(Sample(soloNs: 40, besideNs: 42), Context(cachedGrowth: 2.5))!.Width);
    }

    [Fact]
    public void NotForOtherClasses_NorAUserWidthOfOne()
    {
        // Serialized, blocking and mixed work have their own widths; a user's MaxDegreeOfParallelism of 1 needs no reason.
        var contended = Sample(soloNs: 40, besideNs: 200);
        var blocking = contended with { MeasuredWallTicks = contended.CpuTicks * 10, WallTicks = contended.CpuTicks * 10 };
        var decision = AutoPlanner.Decide(blocking, Context())!;
        Assert.Equal(WorkloadClass.Blocking, decision.Class);
        Assert.DoesNotContain("one worker", decision.Explanation, StringComparison.Ordinal);
        Assert.Null(decision.CpuGrowth);

        var own = AutoPlanner.Decide(Sample(soloNs: 40, besideNs: 200), Context(maxWidth: 1))!;
        Assert.Equal(1, own.Width);
        Assert.DoesNotContain("one worker", own.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void SoloFigures_AddAndSubtract_AndTheRestIsBeside()
    {
        var a = Sample(soloNs: 40, besideNs: 110);
        var b = Sample(soloNs: 50, besideNs: 60, soloBatches: 2, besideBatches: 3);

        var sum = a + b;
        Assert.Equal(6, sum.SoloBatches);
        Assert.Equal(9, sum.BesideBatches);
        Assert.Equal(a.SoloCpuTicks + b.SoloCpuTicks, sum.SoloCpuTicks);
        Assert.Equal(a.BesideCpuTicks + b.BesideCpuTicks, sum.BesideCpuTicks);
        Assert.Equal(a, sum - b);
    }
}
