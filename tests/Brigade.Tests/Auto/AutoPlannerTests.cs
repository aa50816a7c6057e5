using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>The classification and decision rules on synthetic measurements: no clock, no threads, no flakiness.</summary>
public sealed class AutoPlannerTests
{
    private static readonly AutoEngineOptions Defaults = new();

    private static PlanContext Context(long? items = 100_000, int cores = 2, int? maxWidth = null, int? batch = null, AutoEngineOptions? options = null) => new()
    {
        Cores = cores,
        Options = options ?? Defaults,
        ItemCount = items,
        MaxDegreeOfParallelism = maxWidth,
        BatchSize = batch,
    };

    private static TimeSpan Us(double us) => TimeSpan.FromTicks((long)(us * 10));

    [Fact]
    public void Classify_NothingMeasured_IsUnknown()
    {
        Assert.Equal(WorkloadClass.Unknown, AutoPlanner.Classify(default));
        Assert.Null(AutoPlanner.Decide(default, Context()));
    }

    [Fact]
    public void Classify_PureComputation_IsCpuBound()
    {
        var sample = WorkSample.FromPerItem(100, wallPerItem: Us(100), cpuPerItem: Us(99));

        Assert.Equal(WorkloadClass.CpuBound, AutoPlanner.Classify(sample));
    }

    [Fact]
    public void Classify_ComputationOnABusyMachine_IsStillCpuBound_BecauseWaitingForACoreDoesNotCount()
    {
        // Measured on this project's 2-core machine at load 6: 330 ms wall, 117 ms CPU, 206 ms in the run queue.
        var sample = WorkSample.FromPerItem(100, wallPerItem: Us(3300), cpuPerItem: Us(1170), runQueuePerItem: Us(2060));

        Assert.True(sample.CpuRatio > 0.9, $"cpu ratio {sample.CpuRatio}");
        Assert.Equal(WorkloadClass.CpuBound, AutoPlanner.Classify(sample));
    }

    [Fact]
    public void TimePerItem_ARunQueueReadingLargerThanTheTimeOffTheCpu_LeavesTheItemsTheirCpuTime()
    {
        // 2,000 tiny items: 4 ms of batches, 3 ms of it on the CPU, and a run-queue reading of 5 ms (more than the batches
        // lasted). Before the floor the items took no time, and the job was planned sequential: "takes 0 ns".
        var sample = WorkSample.FromPerItem(2_000, wallPerItem: TimeSpan.FromTicks(20), cpuPerItem: TimeSpan.FromTicks(15), runQueuePerItem: TimeSpan.FromTicks(25));

        Assert.Equal(TimeSpan.FromTicks(15), sample.TimePerItem);
        Assert.Equal(1_500, sample.NanosecondsPerItem, 6);
        Assert.DoesNotContain("takes 0 ns", AutoPlanner.Decide(sample, Context(items: 2_000))!.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_Sleeps_AreBlocking_HoweverBusyTheMachine()
    {
        var idle = WorkSample.FromPerItem(50, wallPerItem: Us(2_100), cpuPerItem: Us(20));
        var busy = WorkSample.FromPerItem(50, wallPerItem: Us(2_600), cpuPerItem: Us(25), runQueuePerItem: Us(450));

        Assert.Equal(WorkloadClass.Blocking, AutoPlanner.Classify(idle));
        Assert.Equal(WorkloadClass.Blocking, AutoPlanner.Classify(busy));
    }

    [Fact]
    public void Classify_GarbageCollectorPauses_AreNotMistakenForIo()
    {
        var sample = WorkSample.FromPerItem(100, wallPerItem: Us(200), cpuPerItem: Us(100)) with { GcPauseTicks = Us(100).Ticks * 100 };

        Assert.Equal(WorkloadClass.CpuBound, AutoPlanner.Classify(sample));
    }

    [Fact]
    public void Classify_HalfComputeHalfWait_IsMixed()
    {
        var sample = WorkSample.FromPerItem(100, wallPerItem: Us(2_000), cpuPerItem: Us(1_000));

        Assert.Equal(WorkloadClass.Mixed, AutoPlanner.Classify(sample));
    }

    [Fact]
    public void Classify_AsynchronousItemsInFlight_AreAsyncIo_UnlessTheirSynchronousPartDominates()
    {
        Assert.Equal(WorkloadClass.AsyncIo, AutoPlanner.Classify(WorkSample.InFlightPerItem(100, Us(10_000), Us(5))));
        Assert.Equal(WorkloadClass.Mixed, AutoPlanner.Classify(WorkSample.InFlightPerItem(100, Us(1_000), Us(900))));
    }

    [Fact]
    public void Classify_AsynchronousWorkThatCompletesSynchronously_IsJudgedLikeSynchronousWork()
    {
        var sample = WorkSample.FromPerItem(90, Us(100), Us(99)) + WorkSample.InFlightPerItem(10, Us(1_000), Us(5));

        Assert.Equal(WorkloadClass.CpuBound, AutoPlanner.Classify(sample));
    }

    [Fact]
    public void Decide_TinyWholeJob_StatesACostBelowOneTickPerItemInNanoseconds()
    {
        // 500 items in 44 µs: 88 ns each, less than the 100 ns of one TimeSpan tick (once printed as "0 ns").
        var sample = new WorkSample { Items = 500, Batches = 1, WallTicks = 440, MeasuredItems = 500, MeasuredBatches = 1, MeasuredWallTicks = 440, CpuTicks = 440 };

        var plan = AutoPlanner.Decide(sample, Context(items: 500))!;

        Assert.Equal(WorkloadClass.Tiny, plan.Class);
        Assert.StartsWith("Sequential — not worth parallelizing: the whole job takes 44 µs (500 items × 88 ns)", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TinyWholeJob_RunsSequentially_AndSaysItIsNotWorthParallelizing()
    {
        var sample = WorkSample.FromPerItem(64, Us(0.3), Us(0.3));

        var plan = AutoPlanner.Decide(sample, Context(items: 2_000))!;

        Assert.Equal(WorkloadClass.Tiny, plan.Class);
        Assert.Equal("sequential", plan.Engine);
        Assert.Equal(1, plan.Width);
        Assert.StartsWith("Sequential — not worth parallelizing: the whole job takes 600 µs (2,000 items × 300 ns)", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SameItemsInABigJob_AreCpuBound_WithLargeBatches()
    {
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(64, Us(0.3), Us(0.3)), Context(items: 1_000_000))!;

        Assert.Equal(WorkloadClass.CpuBound, plan.Class);
        Assert.Equal(2048, plan.BatchSize);
    }

    [Fact]
    public void Decide_UnknownItemCount_IsNeverTiny()
    {
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(64, Us(0.3), Us(0.3)), Context(items: null))!;

        Assert.Equal(WorkloadClass.CpuBound, plan.Class);
    }

    [Fact]
    public void Decide_ItemsStillRunning_AreNeverTiny()
    {
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(2, Us(10), Us(10)), Context(items: 10) with { NotWholeJob = true })!;

        Assert.Equal(WorkloadClass.CpuBound, plan.Class);
    }

    [Fact]
    public void Decide_WaitingWork_IsNeverTiny_EvenWhenSmall()
    {
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(2, Us(100), Us(2)), Context(items: 4))!;

        // Parallel all the same: four 100 µs waits on two threads, where two more thread starts (~100 µs each) would cost
        // more than the wave they save (√(4 × 100 µs / 100 µs) = 2).
        Assert.Equal(WorkloadClass.Blocking, plan.Class);
        Assert.Equal(2, plan.Width);
    }

    [Fact]
    public void Decide_CpuBound_UsesTheThreadPoolAtTheCoreCount_AndExplainsItInOneLine()
    {
        var sample = WorkSample.FromPerItem(256, Us(4.1), Us(4.02));

        var plan = AutoPlanner.Decide(sample, Context(cores: 2))!;

        Assert.Equal(LoopKind.Task, plan.Kind);
        Assert.Equal("threadpool", plan.Engine);
        Assert.Equal(2, plan.Width);
        Assert.Equal(128, plan.BatchSize); // 1 ms / 4.1 µs = 243 items, rounded down to a power of two
        Assert.Equal("ThreadPool ×2, batch 128 — CPU-bound (cpu/wall 0.98), 4.1 µs per item, 2 cores", plan.Explanation);
        Assert.DoesNotContain('\n', plan.Explanation);
    }

    [Fact]
    public void Decide_Blocking_TakesItsWidthFromLittlesLaw()
    {
        // 100 µs of CPU and 900 µs of waiting per item: 2 cores × (1 + 900 / 100) = 20 threads keep both cores busy.
        var sample = WorkSample.FromPerItem(100, Us(1_000), Us(100));

        var plan = AutoPlanner.Decide(sample, Context(cores: 2))!;

        Assert.Equal(WorkloadClass.Blocking, plan.Class);
        Assert.Equal(LoopKind.Thread, plan.Kind);
        Assert.Equal(20, plan.Width);
        Assert.Contains("Little's law 2 × (1 + 900 µs / 100 µs) = 20", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_WaitingWork_UnderTheRunsOwnLimit_SaysThatLimit_NotAutoModesCeiling()
    {
        // brigade run -j 2 over sleeping commands: Little's law asks for hundreds, the run allows 2.
        var sample = WorkSample.InFlightPerItem(100, Us(100_000), Us(5));

        var plan = AutoPlanner.Decide(sample, Context(maxWidth: 2))!;

        Assert.Equal(2, plan.Width);
        Assert.Contains("limited to 2 by MaxDegreeOfParallelism", plan.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("capped at", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_Blocking_IsCappedAtMaxThreads_AndSaysSo()
    {
        var sample = WorkSample.FromPerItem(100, Us(10_000), Us(5));

        var plan = AutoPlanner.Decide(sample, Context(options: new AutoEngineOptions { MaxThreads = 64 }))!;

        Assert.Equal(64, plan.Width);
        Assert.Contains("capped at 64", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_Mixed_UsesThreads_WithALittleMoreThanTheCores()
    {
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(100, Us(2_000), Us(1_000)), Context(cores: 2))!;

        Assert.Equal(WorkloadClass.Mixed, plan.Class);
        Assert.Equal(LoopKind.Thread, plan.Kind);
        Assert.Equal(4, plan.Width);
    }

    [Fact]
    public void Decide_AsyncIo_StartsTheLimitFromLittlesLaw_CappedAtMaxConcurrency()
    {
        var plan = AutoPlanner.Decide(WorkSample.InFlightPerItem(100, Us(2_000), Us(20)), Context(cores: 2))!;
        var capped = AutoPlanner.Decide(WorkSample.InFlightPerItem(100, Us(10_000), Us(1)), Context(cores: 2))!;

        Assert.Equal(WorkloadClass.AsyncIo, plan.Class);
        Assert.Equal("async", plan.Engine);
        Assert.Equal(400, plan.Width); // 2 (headroom) × 2 cores × 2 ms / 20 µs
        Assert.Equal(1, plan.BatchSize);
        Assert.Equal(1024, capped.Width);
    }

    [Fact]
    public void Decide_NeverExceedsTheUsersWidth_OrTheItemsLeft()
    {
        var sample = WorkSample.FromPerItem(100, Us(10_000), Us(5));

        Assert.Equal(8, AutoPlanner.Decide(sample, Context(maxWidth: 8))!.Width);
        Assert.Equal(30, AutoPlanner.Decide(sample, Context(items: 30))!.Width);
        Assert.Equal(10, AutoPlanner.Decide(sample, Context(items: 30) with { ItemsDone = 20 })!.Width);
    }

    [Fact]
    public void Decide_UsesTheUsersBatchSize_WhenSet()
    {
        Assert.Equal(7, AutoPlanner.Decide(WorkSample.FromPerItem(100, Us(4), Us(4)), Context(batch: 7))!.BatchSize);
    }

    [Fact]
    public void Decide_WithAnIsolatedEngine_RunsCpuBoundWorkThere()
    {
        var options = new AutoEngineOptions { IsolatedEngine = Engine.Threads };

        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(100, Us(100), Us(99)), Context(options: options))!;

        Assert.Equal(LoopKind.Isolated, plan.Kind);
        Assert.Equal("threads", plan.Engine);
        Assert.Equal(2, plan.Width);
    }

    [Fact]
    public void Decide_MentionsHeavyAllocation_AndContention()
    {
        var sample = WorkSample.FromPerItem(100, Us(300), Us(100), runQueuePerItem: Us(200), allocatedBytesPerItem: 40_000);

        var plan = AutoPlanner.Decide(sample, Context())!;

        Assert.Contains("39.1 KB allocated per item", plan.Explanation, StringComparison.Ordinal);
        Assert.Contains("67% of the time waiting for a core", plan.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.2, 4096)]
    [InlineData(4.1, 128)]
    [InlineData(600, 1)]
    [InlineData(100_000, 1)]
    public void BatchFor_LastsAboutTheTarget_AsAPowerOfTwo(double perItemUs, int expected)
    {
        Assert.Equal(expected, AutoPlanner.BatchFor(Us(perItemUs), AutoPlanner.TargetBatch));
    }

    [Fact]
    public void ToPlan_CarriesTheMeasurements()
    {
        var decision = AutoPlanner.Decide(WorkSample.FromPerItem(256, Us(4.1), Us(4.02), allocatedBytesPerItem: 64), Context())!;

        var plan = decision.ToPlan(revision: 1, atItem: 500, fromCache: true);

        Assert.Equal(WorkloadClass.CpuBound, plan.Class);
        Assert.Equal(1, plan.Revision);
        Assert.Equal(500, plan.AtItem);
        Assert.True(plan.FromCache);
        Assert.Equal(256, plan.MeasuredItems);
        Assert.Equal(64, plan.AllocatedBytesPerItem);
        Assert.Equal(plan.Explanation, plan.ToString());
    }
}
