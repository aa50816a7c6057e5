using System.Globalization;
using System.Text.RegularExpressions;
using Brigade.Auto;

namespace Brigade.Tests.Auto69Tail;

/// <summary>
/// autotail69 (2): a plan line that re-planned to one worker (its items cost more CPU beside another worker) printed
/// "ThreadPool ×1 … one worker, not 2 … forecast speedup 1.98": the forecast was the whole run's, most of it the earlier ×2
/// plan's, beside an explanation of a plan that cannot run faster than one worker. The forecast belongs to the plan it
/// is printed with. Synthetic measurements: no clock, no threads.
/// </summary>
public sealed partial class ReplannedForecastTests
{
    private static readonly AutoEngineOptions Defaults = new();

    private static PlanContext Context(long items) => new() { Cores = 2, Options = Defaults, ItemCount = items };

    private static TimeSpan Us(double us) => TimeSpan.FromTicks((long)(us * 10));

    [GeneratedRegex(@"forecast speedup (?<x>\d+(\.\d+)?)")]
    private static partial Regex Forecast();

    private static double ForecastIn(string line)
    {
        var m = Forecast().Match(line);
        Assert.True(m.Success, line);
        return double.Parse(m.Groups["x"].Value, CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(200, 40)]
    [InlineData(200, 150)]
    [InlineData(64, 40)]
    public void APlanOfOneWorker_AfterAWiderOne_ForecastsNoSpeedupAboveOne(int items, int replannedAt)
    {
        // 1 ms CPU items: ThreadPool ×2 from the sample, then ×1 once the run's totals showed them costing 2.8× the CPU
        // beside another worker (AutoMonitor.JudgeScalingFromTotals).
        var sample = WorkSample.FromPerItem(40, Us(1_000), Us(1_000));
        var wide = AutoPlanner.Decide(sample, Context(items))!;
        Assert.Equal((LoopKind.Task, 2), (wide.Kind, wide.Width));
        var one = AutoPlanner.Decide(sample, Context(items) with { CpuGrowth = 2.8, NotWholeJob = true })!;
        Assert.True(one.NarrowedForGrowth, one.Explanation);
        Assert.Equal(1, one.Width);

        List<AutoPlan> plans = [wide.ToPlan(0, 4, fromCache: false, TimeSpan.FromMilliseconds(3)), one.ToPlan(1, replannedAt, fromCache: false, TimeSpan.FromMilliseconds(30))];
        var line = AutoRunPlans.Decided(plans, one, items, new ActivePlan(LoopKind.Task, 1, 16, TimeSpan.FromMilliseconds(1), 2, Probing: false), 0).Line;

        Assert.StartsWith(one.Explanation, line, StringComparison.Ordinal);
        Assert.True(ForecastIn(line) <= 1.0, line);

        // On an idle machine too (the line above read this one's load): the run's forecast, most of it the ×2 plan's,
        // was what the line printed before (the whole run's forecast: above 1).
        var idle = Brigade.Reporting.SpeedupForecast.PlanForecast(plans, items, otherLoad: 0)!;
        Assert.Equal(1, idle.DegreeOfParallelism);
        Assert.True(idle.Speedup <= 1.0, idle.ToString());
    }
}
