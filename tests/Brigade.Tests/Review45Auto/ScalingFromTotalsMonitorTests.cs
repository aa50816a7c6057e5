using Brigade.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review45Auto;

/// <summary>
/// Review 45, 1c: the sample's wait for its batches beside another worker is bounded (a few milliseconds, no longer the
/// whole sample time); a CPU plan made before they came is judged once from the run's totals (the sample's batches alone,
/// the run's beside each other). Recorded figures fed to a real run's monitor.
/// </summary>
public sealed class ScalingFromTotalsMonitorTests
{
    // A CPU plan made from the sample's batches alone only: the cores, growth unknown.
    private static PlanDecision Unmeasured(PlanContext context)
    {
        var decision = AutoPlanner.Decide(Figures.Alone(40), context)!;
        Assert.Equal(2, decision.Width);
        Assert.Null(decision.CpuGrowth);
        return decision;
    }

    [Theory]
    [InlineData(110, 1)] // 2.8× beside another worker: one worker
    [InlineData(42, 2)] // shares nothing: the cores stay
    public async Task APlanMadeBeforeTheBesideBatches_IsJudgedFromTheRunsTotals(double besideNs, int width)
    {
        // The sample's alone batches (in the run's totals), then two judged windows beside each other.
        WorkSample[] windows = [Figures.Alone(40), Figures.Alone(40), Figures.Beside(besideNs), Figures.Beside(besideNs), Figures.Beside(besideNs), Figures.Beside(besideNs)];
        var engine = new MonitoredCpuEngine(Unmeasured, windows);

        await Runner.MapAsync(new int[1_000_000], engine.Hold, new RunOptions { Engine = engine }).Bounded();

        Assert.Equal(width, engine.Widths[^1]);
        Assert.Equal(width == 1 ? 2 : 1, engine.Plans.Count);
        if (width == 1)
        {
            Assert.Contains("one worker, not 2", engine.Plans[^1].Explanation, StringComparison.Ordinal);
            Assert.Contains("re-planned: judged beside another worker over the run", engine.Plans[^1].Explanation, StringComparison.Ordinal);
        }
    }
}
