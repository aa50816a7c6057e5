using Brigade.Auto;
using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review62Run;

/// <summary>
/// run62: "why not faster" after auto mode re-planned the width mid-run. Lanes the plan retired (narrowed) sat idle to the
/// end and read "lost to imbalance 81%", as if a straggler had kept them waiting; lanes a widening opened late read as
/// start-up. Both are the plan's width changing: named as such, with when and from what to what.
/// </summary>
public sealed class WidthChangeLossTests
{
    [Fact]
    public void LanesRetiredByANarrowingReplan_AreAWidthChange_NotImbalance()
    {
        // Four workers until 1 s, then a re-plan to one: the other three ran nothing for the last 9 s of a 10 s run.
        // Failed before: imbalance 27 s (98% of the gap), "the other 3 workers sat idle 9.0 s on average at the end".
        var report = Report(
            oneWidth: 1,
            [Worker(0, 0.1, 9.9, 10.0, 9.9), Worker(1, 0.1, 0.95, 1.0, 0.9), Worker(2, 0.1, 0.95, 1.0, 0.9), Worker(3, 0.1, 0.95, 1.0, 0.9)],
            Plan(0, 4, 0.1), Plan(1, 1, 1.0));

        var losses = LossBreakdown.Compute(report, new LossProbe(0, 0, 0), callerKeepsEngine: false);
        var all = string.Join(" | ", losses.Causes.Select(static c => $"{c.Cause} {c.Time.TotalSeconds:0.00} s: {c.Description}"));

        Assert.Equal(TimeSpan.Zero, losses.TimeLostTo(LossCause.Imbalance));
        var change = Assert.Single(losses.Causes, c => c.Cause == LossCause.WidthChange);
        Assert.InRange(change.Time.TotalSeconds, 26.9, 27.1);
        Assert.Contains("from 4 to 1 at 1.00 s", change.Description, StringComparison.Ordinal);
        Assert.Contains("width change", losses.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("imbalance", losses.Summary, StringComparison.Ordinal);
        Assert.True(losses.Causes.Sum(static c => c.Time.Ticks) == losses.Gap.Ticks, all);
    }

    [Fact]
    public void LanesOpenedByAWideningReplan_AreAWidthChange_NotStartUp()
    {
        // One worker until a re-plan to four at 5 s: three lanes did not exist for the first 5 s.
        var report = Report(
            oneWidth: 4,
            [Worker(0, 0.0, 9.9, 10.0, 10.0), Worker(1, 5.05, 9.9, 10.0, 4.95), Worker(2, 5.05, 9.9, 10.0, 4.95), Worker(3, 5.05, 9.9, 10.0, 4.95)],
            Plan(0, 1, 0.1), Plan(1, 4, 5.0));

        var losses = LossBreakdown.Compute(report, new LossProbe(0, 0, 0), callerKeepsEngine: false);
        var all = string.Join(" | ", losses.Causes.Select(static c => $"{c.Cause} {c.Time.TotalSeconds:0.00} s: {c.Description}"));

        var change = Assert.Single(losses.Causes, c => c.Cause == LossCause.WidthChange);
        Assert.InRange(change.Time.TotalSeconds, 14.6, 14.8);
        Assert.Contains("from 1 to 4 at 5.00 s", change.Description, StringComparison.Ordinal);
        Assert.True(losses.TimeLostTo(LossCause.StartUp) < TimeSpan.FromSeconds(0.5), all);
        Assert.Equal(TimeSpan.Zero, losses.TimeLostTo(LossCause.Imbalance));
        Assert.True(losses.Causes.Sum(static c => c.Time.Ticks) == losses.Gap.Ticks, all);
    }

    [Fact]
    public void AStragglerAfterAReplanThatKeptTheWidth_IsStillImbalance()
    {
        // A re-plan that kept four lanes: the three that finished early waited for a slow last item, as in any run.
        var report = Report(
            oneWidth: 4,
            [Worker(0, 0.1, 2.0, 10.0, 9.9), Worker(1, 0.1, 0.95, 1.0, 0.9), Worker(2, 0.1, 0.95, 1.0, 0.9), Worker(3, 0.1, 0.95, 1.0, 0.9)],
            Plan(0, 4, 0.1), Plan(1, 4, 0.5));

        var losses = LossBreakdown.Compute(report, new LossProbe(0, 0, 0), callerKeepsEngine: false);

        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.WidthChange);
        Assert.InRange(losses.TimeLostTo(LossCause.Imbalance).TotalSeconds, 26.9, 27.1);
    }

    private static RunReport Report(int oneWidth, WorkerReport[] workers, params AutoPlan[] plans) => new()
    {
        Engine = "auto",
        DegreeOfParallelism = oneWidth,
        Items = 10_000,
        Succeeded = 10_000,
        WallTime = TimeSpan.FromSeconds(10),
        Workers = workers,
        Counters = new LossProbe(0, 0, 0),
        Plans = plans,
    };

    private static WorkerReport Worker(int id, double first, double lastStart, double lastEnd, double busy) =>
        new(id, $"thread {id}", null, 10, 1_000, 0, TimeSpan.FromSeconds(busy), null)
        {
            Timing = new WorkerTiming(TimeSpan.FromSeconds(first), TimeSpan.FromSeconds(lastStart), TimeSpan.FromSeconds(lastEnd), id * 1_000, 1, null, TimeSpan.Zero),
        };

    private static AutoPlan Plan(int revision, int width, double at) => new()
    {
        Engine = "threadpool",
        Explanation = $"ThreadPool ×{width}",
        DegreeOfParallelism = width,
        BatchSize = 1,
        Revision = revision,
        DecidedAt = TimeSpan.FromSeconds(at),
    };
}
