using Brigade.Auto;
using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review44Auto;

/// <summary>
/// "Why not faster" on items that contend on shared memory (review 44): their compare-and-swap retries and cache misses
/// run on the CPU, so before, the breakdown counted them as useful work and named nothing (or only the machine). Where auto
/// mode measured the items' CPU time per item beside another worker against alone, the extra is contention. Made-up reports.
/// </summary>
public sealed class SharedMemoryLossTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static RunReport AutoRun(CpuContention? contention, double workersCpuMs = 20, double runQueueMs = 0)
    {
        var sample = WorkSample.FromPerItem(10_000, wallPerItem: TimeSpan.FromTicks(1), cpuPerItem: TimeSpan.FromTicks(1));
        var decision = AutoPlanner.Decide(sample, new PlanContext { Cores = 2, Options = new AutoEngineOptions(), ItemCount = 400_000 })!;
        var plans = AutoRunPlans.Decided([decision.ToPlan(0, 0, fromCache: false)], decision, 400_000, new ActivePlan(LoopKind.Task, 2, 65_536, Ms(1), 1, Probing: false), 0);
        plans.Contention = contention;
        return new RunReport
        {
            Engine = "auto",
            DegreeOfParallelism = 2,
            Items = 400_000,
            Succeeded = 400_000,
            WallTime = Ms(10),
            WorkerCpuTime = Ms(workersCpuMs),
            ProcessCpuTime = Ms(workersCpuMs),
            Plans = plans,
            Workers = [Worker(0, runQueueMs), Worker(1, runQueueMs)],
            Counters = new LossProbe(0, 0, 0),
        };
    }

    private static WorkerReport Worker(int id, double runQueueMs) =>
        new(id, $"w{id}", null, 10, 200_000, 0, Ms(10), null)
        {
            Timing = new WorkerTiming(TimeSpan.Zero, Ms(9.9), Ms(10), 190_000 + id, 10_000, Ms(runQueueMs), TimeSpan.Zero),
        };

    [Fact]
    public void ItemsThatTookMoreCpuBesideAnotherWorker_LoseThatTimeToContention_NotUseful()
    {
        // Two workers on the CPU all of their 10 ms; the items took 2.5× the CPU per item beside each other, which is
        // half of the CPU measured. Before: useful 20 ms, nothing lost, "why not faster" had nothing to say.
        var losses = AutoRun(new CpuContention(2.5, 0.5)).Losses;

        Assert.Equal(10, losses.TimeLostTo(LossCause.LockContention).TotalMilliseconds, 3);
        Assert.Equal(10, losses.Useful.TotalMilliseconds, 3);
        var cause = Assert.Single(losses.Causes, c => c.Cause == LossCause.LockContention);
        Assert.Contains("2.5× the CPU time per item beside another worker than alone", cause.Description, StringComparison.Ordinal);
        Assert.Contains("contention on shared memory", cause.Description, StringComparison.Ordinal);
        Assert.Contains(losses.Advice, a => a.StartsWith("lock contention cost", StringComparison.Ordinal) && a.Contains("its own state", StringComparison.Ordinal));
    }

    [Fact]
    public void ASmallGrowth_IsTheMachine_NotContention()
    {
        // Hyperthreads of one core slow each other: 1.2× is under the bound.
        var losses = AutoRun(new CpuContention(1.2, 0.15)).Losses;

        Assert.Equal(TimeSpan.Zero, losses.TimeLostTo(LossCause.LockContention));
        Assert.Equal(20, losses.Useful.TotalMilliseconds, 3);
    }

    [Fact]
    public void NotMeasured_NothingChanges()
    {
        var losses = AutoRun(contention: null).Losses;

        Assert.Equal(TimeSpan.Zero, losses.TimeLostTo(LossCause.LockContention));
        Assert.Equal(20, losses.Useful.TotalMilliseconds, 3);
    }

    [Fact]
    public void OnABusyMachine_TheRunQueueStaysTheMachines_AndContentionTakesOnlyTheCpuTime()
    {
        // 6 ms of each worker's 10 ms waiting for a core, 8 ms of CPU in all, half of it beyond the items' cost alone.
        var losses = AutoRun(new CpuContention(2.0, 0.5), workersCpuMs: 8, runQueueMs: 6).Losses;

        Assert.Equal(12, losses.TimeLostTo(LossCause.WaitingForCore).TotalMilliseconds, 3);
        Assert.Equal(4, losses.TimeLostTo(LossCause.LockContention).TotalMilliseconds, 3);
        Assert.Equal(4, losses.Useful.TotalMilliseconds, 3);
    }

    [Fact]
    public void TheRunsTotals_GiveTheGrowthAndTheExtraShare()
    {
        // 4 batches alone of 4,096 items at 40 ns; 6 beside at 110 ns: the extra is 6 × 4,096 × 70 ns of the CPU time.
        var totals = new WorkSample
        {
            Items = 40_960,
            Batches = 10,
            MeasuredItems = 40_960,
            MeasuredBatches = 10,
            MeasuredWallTicks = 40_000,
            WallTicks = 40_000,
            CpuTicks = (16_384 * 40 / 100) + (24_576 * 110 / 100),
            SoloItems = 16_384,
            SoloBatches = 4,
            SoloCpuTicks = 16_384 * 40 / 100,
        };

        var contention = CpuContention.Of(totals)!.Value;

        Assert.Equal(2.75, contention.Growth, 2);
        Assert.Equal(24_576 * 70 / 100.0 / totals.CpuTicks, contention.ExtraCpuShare, 3);
        Assert.Null(CpuContention.Of(totals with { SoloBatches = 1 }));
    }
}
