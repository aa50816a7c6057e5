using Brigade.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review45Auto;

/// <summary>
/// Review 45, 1a: a one-worker CPU plan (items that cost more CPU beside another worker than alone) was never re-examined:
/// its windows at one worker cannot show the contention gone, so a run whose sample's contention was its start-up, or whose
/// items grew heavier, stayed at one worker to its end. The monitor now re-checks two workers for a window now and then.
/// Recorded figures fed to a real run's monitor, no timing.
/// </summary>
public sealed class OneWorkerRecheckMonitorTests
{
    // AutoTuning.WidthRecheckWindows (WidthRecheckTests pins it): a literal, so that this file builds against the code before.
    private const int Every = 8;

    // The sample review 44 planned one worker from: 40 ns of CPU per item alone, 110 ns beside another worker (2.8×).
    private static PlanDecision Contended(PlanContext context)
    {
        var decision = AutoPlanner.Decide(Figures.Cpu(soloNs: 40, besideNs: 110, soloBatches: 4, besideBatches: 6), context)!;
        Assert.Equal(WorkloadClass.CpuBound, decision.Class);
        Assert.Equal(1, decision.Width);
        return decision;
    }

    // Each judged window is two ticks of half its figures.
    private static IEnumerable<WorkSample> Judged(WorkSample half, int windows) => Enumerable.Repeat(half, 2 * windows);

    private static async Task<MonitoredCpuEngine> Run(params IEnumerable<WorkSample>[] windows)
    {
        var engine = new MonitoredCpuEngine(Contended, [.. windows.SelectMany(w => w)]);
        await Runner.MapAsync(new int[1_000_000], engine.Hold, new RunOptions { Engine = engine }).Bounded();
        return engine;
    }

    [Fact]
    public async Task ContentionGoneAfterTheSample_TwoWorkersAreTriedAndKept()
    {
        // Eight windows at one worker (items at 40 ns alone), then the re-check at two: 42 ns beside the other (1.05×).
        var engine = await Run(Judged(Figures.Alone(40), Every), Judged(Figures.Beside(42), 1));

        Assert.Equal(1, engine.Widths[(2 * Every) - 2]);
        Assert.Equal(2, engine.Widths[(2 * Every) - 1]);
        Assert.Equal(2, engine.Plans.Count);
        var replan = engine.Plans[^1];
        Assert.Equal(WorkloadClass.CpuBound, replan.Class);
        Assert.Equal(2, replan.DegreeOfParallelism);
        Assert.Contains("re-planned: one worker re-checked against two, an item took 1.1× its CPU alone beside another worker", replan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentionThatStays_GoesBackToOneWorker_AndIsRecheckedTwiceAsRarely()
    {
        // The re-check reads 110 ns beside against 40 alone again: back to one; the next re-check 16 windows later, not 8.
                var engine = await Run(
            Judged(Figures.Alone(40), Every), Judged(Figures.Beside(110), 1),
            Judged(Figures.Alone(40), 2 * Every), Judged(Figures.Beside(110), 1),
            Judged(Figures.Alone(40), 2 * Every));

        Assert.Single(engine.Plans);
        var widths = engine.Widths.Where((_, i) => i % 2 == 1).ToArray(); // after each judged window
        var probes = widths.Select((w, i) => (w, i)).Where(p => p.w == 2).Select(p => p.i).ToArray();
        Assert.Equal([Every - 1, Every + (2 * Every)], probes);
        Assert.Equal(1, widths[^1]);
    }

    [Fact]
    public async Task ItemsGrownHeavier_AreRecheckedAtOnce()
    {
        // Two windows at 40 ns, then the items take 400 ns alone: the next window runs two workers, not the eighth.
        var engine = await Run(Judged(Figures.Alone(40), 2), Judged(Figures.Alone(400), 1), Judged(Figures.Beside(410), 1));

        var widths = engine.Widths.Where((_, i) => i % 2 == 1).ToArray();
        Assert.Equal([1, 1, 2, 2], widths);
        Assert.Equal(2, engine.Plans.Count);
    }

    [Fact]
    public async Task AStableRun_DoesNotReplan()
    {
        // 7 windows at one worker: no re-check yet, nothing changes.
        var engine = await Run(Judged(Figures.Alone(40), Every - 1));

        Assert.All(engine.Widths, w => Assert.Equal(1, w));
        Assert.Single(engine.Plans);
    }
}
