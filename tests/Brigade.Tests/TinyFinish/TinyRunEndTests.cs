using System.Text.RegularExpressions;
using Brigade.Auto;
using Brigade.Reporting;
using Brigade.Tests.Auto;

namespace Brigade.Tests.TinyFinish;

/// <summary>
/// Issue 16, <c>tiny</c>: what auto mode did between a tiny job's last item and its caller's continuation (the decision
/// at the end, the plan line with its formatted figures and forecast note) now waits until the report's plan is read,
/// and reads the same.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed partial class TinyRunEndTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [GeneratedRegex("^(?<head>.*?)(?<help>; a pool thread joined \\([0-9,]+ items\\))?(?<note>; forecast speedup [0-9.]+ \\(limited by [a-z -]+(; one worker under the same load: [0-9.]+)?\\))?$")]
    private static partial Regex LineParts();

    [Fact]
    public async Task TinyJob_ItsEndDecisionAndPlanLineAreMadeWhenTheReportIsRead_AndReadAsBefore()
    {
        Func<int, int> work = x => (x * 7) + 1;
        var items = Enumerable.Range(0, 500).ToArray();
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false });
        var lines = new List<string>();

        // A busy machine can stretch the items past what makes the job tiny, and a cold run compiles: a few tries for a
        // run that ended within its sample and was planned tiny.
        var found = false;
        for (var run = 0; run < 8 && !found; run++)
        {
            var result = await Runner.MapAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(Bound);
            var report = result.Report;
            Assert.Equal(items.Select(work), result.Values);

            // Nothing of the line is made before it is read, whichever way the run was planned.
            var plans = Assert.IsType<AutoRunPlans>(report.Plans);
            Assert.False(plans.IsBuilt);
            var decidedLater = plans.DecidesLater;
            var line = report.Plan;
            Assert.NotNull(line);
            Assert.True(plans.IsBuilt);
            Assert.Same(line, report.Plan);
            lines.Add(line);

            // The line as it was made at the run's end: the last plan's explanation, a pool thread's help, the forecast.
            var parts = LineParts().Match(line);
            Assert.True(parts.Success, line);
            Assert.StartsWith(report.Plans[^1].Explanation, parts.Groups["head"].Value, StringComparison.Ordinal);
            if (report.Plans.Count == 1)
            {
                Assert.Equal(SpeedupForecast.PlanNote(report.Plans, items.Length), parts.Groups["note"].Value);
            }

            found = decidedLater && report.Plans is [{ Class: WorkloadClass.Tiny, Engine: "sequential" }];
            if (found)
            {
                Assert.Equal(report.Plans[0].Explanation, parts.Groups["head"].Value);
                Assert.Equal(500, report.Plans[0].AtItem);
            }
        }

        Assert.True(found, $"no run ended within its sample planned tiny: {string.Join(" | ", lines)}");
    }

    [Fact]
    public async Task TinyJob_WithOnFinished_IsDecidedAtTheEnd_AndTheOutcomeHoldsTheReportsPlans()
    {
        // A test's hook reads the decision at the run's end, as the plan cache does: it is made there, as before.
        AutoRunOutcome? outcome = null;
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, OnFinished = o => outcome = o });

        var result = await Runner.MapAsync(Enumerable.Range(0, 500).ToArray(), x => x + 1, new RunOptions { Engine = engine }).WaitAsync(Bound);

        Assert.NotNull(outcome);
        var plans = Assert.IsType<AutoRunPlans>(result.Report.Plans);
        Assert.False(plans.DecidesLater);
        Assert.Equal(outcome.Plans.Select(p => p.Explanation), result.Report.Plans.Select(p => p.Explanation));
        Assert.StartsWith(outcome.Plans[^1].Explanation, result.Report.Plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyInput_DecidedWhenRead_SaysSo()
    {
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false });

        var result = await Runner.MapAsync(Array.Empty<int>(), x => x, new RunOptions { Engine = engine }).WaitAsync(Bound);

        Assert.Equal("nothing to plan: the input was empty", result.Report.Plan);
        Assert.Empty(result.Report.Plans);
    }
}
