using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>
/// The planner's decisions from the signals beyond CPU and wall time, on synthetic samples: items still running that
/// wait from their first millisecond, the garbage collector's share of the time, lock contention, and the thread
/// ceiling memory affords.
/// </summary>
public sealed class PlannerSignalsTests
{
    private static readonly AutoEngineOptions Defaults = new();

    private static PlanContext Context(long? items = 100_000, int cores = 2, bool serverGc = false, int affordable = 0, AutoEngineOptions? options = null) => new()
    {
        Cores = cores,
        Options = options ?? Defaults,
        ItemCount = items,
        ServerGc = serverGc,
        AffordableThreads = affordable,
    };

    private static TimeSpan Us(double us) => TimeSpan.FromTicks((long)(us * 10));

    // Two items still running after 30 ms, asleep all of the last look (what Inspect reads from a 1 s sleep).
    private static WorkSample Sleeping(double cpuUs = 0) => WorkSample.FromPerItem(2, Us(30_000), Us(cpuUs));

    [Fact]
    public void Decide_PureWaitsStillRunning_AreBlocking_AllOverlapping_WhenThreadStartsCostLittleAgainstTheWait()
    {
        var plan = AutoPlanner.Decide(Sleeping(), Context(items: 64) with { NotWholeJob = true, FromRunningItems = true })!;

        Assert.Equal(WorkloadClass.Blocking, plan.Class);
        Assert.Equal(LoopKind.Thread, plan.Kind);
        Assert.Equal(64, plan.Width);
        Assert.Contains("pure waits", plan.Explanation, StringComparison.Ordinal);
        Assert.True(plan.ToPlan(revision: 0, atItem: 2, fromCache: false).FromRunningItems);
        Assert.False(AutoPlanner.Decide(Sleeping(), Context(items: 64))!.ToPlan(0, 2, false).FromRunningItems);
    }

    [Fact]
    public void Decide_PureWaitsStillRunning_GoPast256_WhenTheWaitsAndMemoryAllow()
    {
        // 1,000 items waiting 30 ms so far: √(1,000 × 30 ms / 100 µs) = 548 threads, where starting more would cost more
        // than the waves it saves (the width follows Little's law once items finish).
        var plan = AutoPlanner.Decide(Sleeping(), Context(items: 1_000, affordable: 4_000) with { NotWholeJob = true, FromRunningItems = true })!;

        Assert.Equal(548, plan.Width);
    }

    [Fact]
    public void Decide_PureWaitsStillRunning_StayWithinWhatMemoryAffords_AndSaySo()
    {
        var plan = AutoPlanner.Decide(Sleeping(), Context(items: 1_000, affordable: 300) with { NotWholeJob = true, FromRunningItems = true })!;

        Assert.Equal(300, plan.Width);
        Assert.Contains("capped at 300", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ShortPureWaitsStillRunning_DoNotStartAThreadPerItem()
    {
        // 400 items waiting 10 ms so far: √(400 × 10 ms / 100 µs) = 200 threads, not 400.
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(2, Us(10_000), Us(0)), Context(items: 400) with { NotWholeJob = true, FromRunningItems = true })!;

        Assert.Equal(200, plan.Width);
    }

    [Fact]
    public void Decide_FinishedWaits_WhereThreadsStartSlowly_AreNarrower()
    {
        // 4,000 items of 10 ms with 17 µs of CPU, threads measured to start in 400 µs of CPU (a virtual machine):
        // √(4,000 × 10 ms / 400 µs) = 317, not the 633 the usual 100 µs gives; the plan says which start cost it weighed.
        var context = Context(items: 4_000, affordable: 100_000);
        var sample = WorkSample.FromPerItem(20, Us(10_000), Us(17));
        var usual = AutoPlanner.Decide(sample, context)!;
        var slow = AutoPlanner.Decide(sample, context with { ThreadStartCost = TimeSpan.FromMicroseconds(400) })!;

        Assert.Equal(633, usual.Width);
        Assert.Equal(317, slow.Width);
        Assert.Contains("√(items × time / start 400 µs) = 317", slow.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_PureWaitsStillRunning_WhereThreadsStartSlowly_AreNarrowerAtFirst()
    {
        // 64 items still sleeping after 9 ms, threads that start in 400 µs: √(64 × 9 ms / 400 µs) = 38 (the usual 100 µs: 76,
        // so all 64); the monitor widens the plan as the wait grows (AutoColdWaitTests).
        var context = Context(items: 64) with { NotWholeJob = true, FromRunningItems = true };
        var usual = AutoPlanner.Decide(WorkSample.FromPerItem(2, Us(9_000), Us(0)), context)!;
        var slow = AutoPlanner.Decide(WorkSample.FromPerItem(2, Us(9_000), Us(0)), context with { ThreadStartCost = TimeSpan.FromMicroseconds(400) })!;

        Assert.Equal(64, usual.Width);
        Assert.Equal(38, slow.Width);
        Assert.Contains("√(items × wait / thread start 400 µs) = 38", slow.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ThreadStartsMeasuredQuickerThanUsual_KeepTheUsualCost()
    {
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(20, Us(10_000), Us(17)), Context(items: 400) with { ThreadStartCost = TimeSpan.FromMicroseconds(20) })!;

        Assert.Equal(200, plan.Width);
        Assert.Contains("thread starts limit it to √(items × time / start) = 200", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_RunningItemsThatComputeAThird_FollowLittlesLaw_NotTheCeiling()
    {
        // cpu/wall 0.3: blocking, but not a pure wait; 2 × (1 + 21 ms / 9 ms) = 7.
        var plan = AutoPlanner.Decide(Sleeping(cpuUs: 9_000), Context(items: 1_000) with { NotWholeJob = true, FromRunningItems = true })!;

        Assert.Equal(WorkloadClass.Blocking, plan.Class);
        Assert.Equal(7, plan.Width);
    }

    [Fact]
    public void Decide_FinishedPureWaits_FollowLittlesLaw_PastTheOld256Ceiling()
    {
        // 100 ms sleeps that used 20 µs of CPU: 2 × (1 + 100 ms / 20 µs) = 10,002, capped at the default 1,024.
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(40, Us(100_000), Us(20)), Context(items: 5_000, affordable: 100_000))!;

        Assert.Equal(1_024, plan.Width);
        Assert.Contains("capped at 1024", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_FinishedShortWaits_WeighThreadStartsAgainstWaves()
    {
        // 400 items of 10 ms with 17 µs of CPU: Little's law asks for 1,178 threads; starting them costs more than the
        // waves they save, √(400 × 10 ms / 100 µs) = 200.
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(20, Us(10_000), Us(17)), Context(items: 400))!;

        Assert.Equal(200, plan.Width);
        Assert.Contains("thread starts limit it to √(items × time / start) = 200", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_HighGcShare_UnderWorkstationGc_SaysGcBound_AndRecommendsProcessesOrServerGc()
    {
        // 225 KB per item, 35% of the time paused by the collector.
        var sample = WorkSample.FromPerItem(200, Us(900), Us(580), allocatedBytesPerItem: 225 * 1024, gcPausePerItem: Us(315));

        var plan = AutoPlanner.Decide(sample, Context())!;

        Assert.Equal(WorkloadClass.CpuBound, plan.Class);
        Assert.Contains("GC-bound: 35% of the time in GC pauses", plan.Explanation, StringComparison.Ordinal);
        Assert.Contains("worker processes", plan.Explanation, StringComparison.Ordinal);
        Assert.Contains("Server GC", plan.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("no GIL", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_HighGcShare_UnderServerGc_IsNotCalledGcBound()
    {
        var sample = WorkSample.FromPerItem(200, Us(900), Us(580), allocatedBytesPerItem: 225 * 1024, gcPausePerItem: Us(315));

        var plan = AutoPlanner.Decide(sample, Context(serverGc: true))!;

        Assert.DoesNotContain("GC-bound", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_LowGcShare_IsNotGcBound()
    {
        var sample = WorkSample.FromPerItem(200, Us(900), Us(880), allocatedBytesPerItem: 57 * 1024, gcPausePerItem: Us(20));

        var plan = AutoPlanner.Decide(sample, Context())!;

        Assert.DoesNotContain("GC-bound", plan.Explanation, StringComparison.Ordinal);
        Assert.Contains("57 KB allocated per item", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_LockContention_OnItemsThatWaitHalfTheirTime_IsSerialized_OnOneThread()
    {
        // A global lock around 1 ms of computation at width 2: each item waits about as long as it computes, and the
        // monitor counted a contention on most hand-overs.
        var sample = WorkSample.FromPerItem(40, Us(2_000), Us(1_000)) with { LockContentions = 30, LockItems = 40 };

        var plan = AutoPlanner.Decide(sample, Context())!;

        Assert.Equal(WorkloadClass.Serialized, plan.Class);
        Assert.Equal(1, plan.Width);
        Assert.Contains("a lock serializes the items: parallel threads cannot help", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SomeLockContention_OnItemsThatWaitPartOfTheirTime_IsSerialized_OnAtMostTwoThreads()
    {
        var sample = WorkSample.FromPerItem(40, Us(2_000), Us(1_200)) with { LockContentions = 10, LockItems = 40 };

        var plan = AutoPlanner.Decide(sample, Context(cores: 16))!;

        Assert.Equal(WorkloadClass.Serialized, plan.Class);
        Assert.InRange(plan.Width, 1, 2);
    }

    [Fact]
    public void Decide_TimeWaitingOnBrigadeLocks_IsSerialized_WhateverTheCpuRatio()
    {
        // Items that sleep while holding a DetectingLock: the others' wait is all lock wait.
        var sample = WorkSample.FromPerItem(20, Us(10_000), Us(50)) with { LockWaitTicks = Us(9_000).Ticks * 20, LockItems = 20 };

        var plan = AutoPlanner.Decide(sample, Context())!;

        Assert.Equal(WorkloadClass.Serialized, plan.Class);
        Assert.InRange(plan.Width, 1, 2);
    }

    [Fact]
    public void Decide_SleepsWithAFewIncidentalContentions_StayBlocking()
    {
        // 64 sleeping items; starting their threads contended twice (Brigade's own bookkeeping).
        var sample = Sleeping() with { LockContentions = 2, LockItems = 4 };

        var plan = AutoPlanner.Decide(sample, Context(items: 64) with { NotWholeJob = true, FromRunningItems = true })!;

        Assert.Equal(WorkloadClass.Blocking, plan.Class);
        Assert.Equal(64, plan.Width);
    }

    [Fact]
    public void Decide_MixedWorkWithRareContention_StaysMixed()
    {
        var sample = WorkSample.FromPerItem(200, Us(2_000), Us(1_000)) with { LockContentions = 3, LockItems = 200 };

        var plan = AutoPlanner.Decide(sample, Context())!;

        Assert.Equal(WorkloadClass.Mixed, plan.Class);
    }

    // Items whose plain-lock waits were timed inside their batches: `share` of the workers' time, at `workers` on average.
    private static WorkSample TimedLocks(WorkSample sample, double share, double workers = 2, long contentions = 0) => sample with
    {
        LockTiming = LockTiming.Timed,
        LockItems = sample.TotalItems,
        LockContentions = contentions,
        LockBusyTicks = 1_000_000,
        LockElapsedTicks = (long)(1_000_000 / workers),
        TimedLockWaitTicks = (long)(1_000_000 * share),
    };

    [Fact]
    public void Decide_TimedLockWaits_AroundComputation_AreSerialized_OnOneThread_WhatALockAroundAllOfItLetsRun()
    {
        // A global lock around 1 ms of computation at width 2: one computes while the other waits, half of their time;
        // the monitor's spin makes the waiting thread's CPU look busier than it is (cpu/wall 0.7), and counted only 3 waits.
        var sample = TimedLocks(WorkSample.FromPerItem(40, Us(2_000), Us(1_400)), share: 0.5, contentions: 3);

        var plan = AutoPlanner.Decide(sample, Context())!;

        Assert.Equal(WorkloadClass.Serialized, plan.Class);
        Assert.Equal(1, plan.Width);
        Assert.Contains("a lock serializes the items: parallel threads cannot help", plan.Explanation, StringComparison.Ordinal);
        Assert.Contains("50% of the workers' time waiting for a lock", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TimedLockWaits_AroundASleep_AreSerialized_NotBlockingIo()
    {
        // A lock held across a device wait (a log file under a lock, a shared connection): the items barely use the CPU,
        // which alone reads as blocking I/O and many threads; but the waits are for the lock, and do not overlap.
        var sample = TimedLocks(WorkSample.FromPerItem(20, Us(4_000), Us(20)), share: 0.48);

        var plan = AutoPlanner.Decide(sample, Context())!;

        Assert.Equal(WorkloadClass.Serialized, plan.Class);
        Assert.Equal(1, plan.Width);
        Assert.Equal(WorkloadClass.Blocking, AutoPlanner.Classify(sample with { LockTiming = LockTiming.Counted }));
    }

    [Theory]
    [InlineData(0.69, 16)] // a lock each item holds a fifth of its time: 1 − 1/(16 × 0.2) ≈ 69%, five run at once
    [InlineData(0.82, 30)] // a lock around the whole item, read low (review 10: 82% for 97%), ×5 by k·(1 − share)
    [InlineData(0.42, 11)] // the same, read lower still (waits still under way at the sample's end): ×6
    public void Decide_TimedLockWaits_OnManyCores_StartsAtTwo_TheSampleTellsOneFromMoreNotHowMany(double share, double workers)
    {
        // The share's error is multiplied by the workers: a sample of k ≈ cores cannot tell five free of the lock from
        // one. Two, and the monitor widens from its own timed windows while the lock is free at that width.
        var sample = TimedLocks(WorkSample.FromPerItem(400, Us(3_200), Us(1_000)), share, workers);

        var plan = AutoPlanner.Decide(sample, Context(cores: 32))!;

        Assert.Equal(WorkloadClass.Serialized, plan.Class);
        Assert.Equal(2, plan.Width);
        Assert.Contains("wider once the lock is seen free at this width", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TimedLockWaits_OnABusyMachine_TheRunQueueDoesNotReadAsATighterLock()
    {
        // Review 11: 16 workers behind a lock each item holds a fifth of its time (69% waiting for it), a quarter of their
        // time waiting for a core. Subtracting the run-queue share too left 0.96 workers "free" and planned one thread,
        // never widened; the lock lets five run.
        var sample = TimedLocks(WorkSample.FromPerItem(400, Us(3_200), Us(1_000), runQueuePerItem: Us(800)), share: 0.69, workers: 16);
        Assert.InRange(sample.Contention, 0.2, 0.3);

        var plan = AutoPlanner.Decide(sample, Context(cores: 32))!;

        Assert.Equal(WorkloadClass.Serialized, plan.Class);
        Assert.Equal(2, plan.Width);
    }

    [Fact]
    public void Decide_TimedLockWaits_OnManyCores_ReadingFewFree_IsOneThread()
    {
        // 30 workers of which one and a half on average were free of the lock: a low reading only makes that figure
        // larger, so the lock holds nearly all of each item.
        var sample = TimedLocks(WorkSample.FromPerItem(400, Us(3_200), Us(50)), share: 0.96, workers: 30);

        Assert.Equal(1, AutoPlanner.Decide(sample, Context(cores: 32))!.Width);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(8, 16)]
    [InlineData(32, 16)] // review 10 S5: 64 would take a job of 60 items whole behind a lock
    [InlineData(128, 16)]
    public void UnsettledLockCap_IsTwiceTheCores_AtMostSixteen(int cores, int cap) =>
        Assert.Equal(cap, AutoProbe<int, int>.UnsettledLockCap(cores));

    [Theory]
    [InlineData(0.05, 2, 2, false)] // two workers hardly waiting: the lock is free at two
    [InlineData(0.5, 2, 2, true)] // one of two always waiting: a lock around the whole item
    [InlineData(0.3, 2, 2, true)] // over half a worker waiting
    [InlineData(0.05, 1.2, 2, true)] // the workers were not both in batches: nothing to tell
    [InlineData(0.05, 8, 8, false)] // 0.4 of a worker waiting at eight
    [InlineData(0.1, 8, 8, true)] // 0.8 of a worker waiting at eight: busy, stop there
    public void LockSaturated_WhenHalfAWorkerOrMoreWaits(double share, double workers, int width, bool saturated)
    {
        var window = TimedLocks(WorkSample.FromPerItem(40, Us(3_000), Us(100)), share, workers);

        Assert.Equal(saturated, AutoPlanner.LockSaturated(window, width));
        Assert.True(AutoPlanner.LockSaturated(window with { LockTiming = LockTiming.Pending }, width));
    }

    [Fact]
    public void Decide_TimedBriefLockOftenContended_IsNotSerialized()
    {
        // A counter under a lock taken by every item many times: it contends several times per item, but the waits are
        // a percent of the time. Counted, that read as serialized; timed, it is the CPU-bound work it is.
        var cpu = TimedLocks(WorkSample.FromPerItem(400, Us(1_000), Us(950)), share: 0.01, contentions: 2_000);
        var mixed = TimedLocks(WorkSample.FromPerItem(400, Us(2_000), Us(1_000)), share: 0.01, contentions: 2_000);

        Assert.Equal(WorkloadClass.CpuBound, AutoPlanner.Decide(cpu, Context())!.Class);
        Assert.Equal(WorkloadClass.Mixed, AutoPlanner.Decide(mixed, Context())!.Class);
        Assert.Equal(WorkloadClass.Serialized, AutoPlanner.Classify(mixed with { LockTiming = LockTiming.Counted }));
    }

    [Fact]
    public void Decide_SleepsWithBrigadesOwnContention_StayBlocking_WhetherTimedOrWhileTimingStarts()
    {
        // The advise flake: 10 ms sleeps sampled on a loaded machine, whose items' start-up CPU read as 0.4 of their time
        // while the workers' own bookkeeping locks contended once per two items. Counted, that was "serialized"; timed
        // inside the items there is no lock wait, and while timing starts counts are not evidence at all.
        var sample = WorkSample.FromPerItem(8, Us(10_000), Us(4_000)) with { LockContentions = 4, LockItems = 8 };

        Assert.Equal(WorkloadClass.Serialized, AutoPlanner.Classify(sample));
        Assert.Equal(WorkloadClass.Mixed, AutoPlanner.Classify(sample with { LockTiming = LockTiming.Pending }));
        Assert.Equal(WorkloadClass.Mixed, AutoPlanner.Classify(TimedLocks(sample, share: 0, contentions: 4)));
    }

    [Fact]
    public void Samples_AddAndSubtract_TheirTimedLockWaits_AndKnowWhatBothKnow()
    {
        var a = new WorkSample { LockItems = 10, TimedLockWaitTicks = 500, LockBusyTicks = 2_000, LockElapsedTicks = 1_000, LockTiming = LockTiming.Timed };
        var b = new WorkSample { LockItems = 4, TimedLockWaitTicks = 100, LockBusyTicks = 800, LockElapsedTicks = 400, LockTiming = LockTiming.Timed };

        var window = a - b;
        Assert.Equal(400, window.TimedLockWaitTicks);
        Assert.Equal(1_200, window.LockBusyTicks);
        Assert.Equal(LockTiming.Timed, window.LockTiming);
        Assert.Equal(1.0 / 3, window.LockWaitShare, 6);
        Assert.Equal(2, window.LockWorkers, 6);
        Assert.Equal(LockTiming.Pending, (a - (b with { LockTiming = LockTiming.Pending })).LockTiming);
        Assert.Equal(LockTiming.Timed, (a + new WorkSample { Items = 3 }).LockTiming);
        Assert.Equal(0, (a with { LockTiming = LockTiming.Pending }).LockWaitShare);
    }

    [Fact]
    public void Samples_AddAndSubtract_TheirLockCounters()
    {
        var a = new WorkSample { LockContentions = 5, LockWaitTicks = 100, LockItems = 10 };
        var b = new WorkSample { LockContentions = 2, LockWaitTicks = 40, LockItems = 4 };

        Assert.Equal(new WorkSample { LockContentions = 7, LockWaitTicks = 140, LockItems = 14 }, a + b);
        Assert.Equal(new WorkSample { LockContentions = 3, LockWaitTicks = 60, LockItems = 6 }, a - b);
        Assert.Equal(0.5, a.ContentionsPerItem);
    }

    [Fact]
    public void Affordable_CountsStackReservations_AndNeverGoesBelowTheFloor()
    {
        Assert.True(AutoThreads.Affordable(floor: 2) >= 2);
        Assert.Equal(int.MaxValue, AutoThreads.Affordable(floor: int.MaxValue));
    }
}
