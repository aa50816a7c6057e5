using Brigade.Auto;
using Brigade.Reporting;

namespace Brigade.Tests.Reporting;

/// <summary>
/// The start-up advice of an auto run whose workers started late, on made-up reports: it told a run that had followed a
/// cached plan to "keep the plan cache on" (review 37, a CLI run whose plan line read "(cached plan)").
/// </summary>
public sealed class StartUpAdviceTests
{
    // Two workers whose first batch started 150 ms into a 200 ms run: start-up is most of the gap.
    private static RunReport LateStart(params AutoPlan[] plans) => LateStartReports.Build("auto", remoteWorkers: false, plans);

    private static AutoPlan Plan(bool fromCache, int revision = 0) => new()
    {
        Engine = "threadpool",
        Explanation = "ThreadPool ×2",
        DegreeOfParallelism = 2,
        BatchSize = 10,
        CpuRatio = 1,
        TimePerItem = Ms(1),
        FromCache = fromCache,
        Revision = revision,
    };

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static string StartUpAdvice(RunReport report)
    {
        var losses = report.Losses;
        Assert.Equal(LossCause.StartUp, losses.Causes.Where(c => c.Cause != LossCause.Unexplained).MaxBy(c => c.Time)!.Cause);
        return Assert.Single(losses.Advice, a => a.Contains("started", StringComparison.Ordinal) || a.Contains("late", StringComparison.Ordinal));
    }

    [Fact]
    public void SampledPlan_SaysLaterRunsSkipTheSample()
    {
        var advice = StartUpAdvice(LateStart(Plan(fromCache: false)));

        Assert.Contains("later runs of the same work skip the sample", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void CachedPlanThenRePlans_DoesNotAskForTheCacheItUsed()
    {
        var advice = StartUpAdvice(LateStart(Plan(fromCache: true), Plan(fromCache: false, revision: 1)));

        Assert.DoesNotContain("plan cache on", advice, StringComparison.Ordinal);
        Assert.Contains("no longer fits the plan cached for it", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void CachedPlanAlone_DoesNotBlameTheSample()
    {
        var advice = StartUpAdvice(LateStart(Plan(fromCache: true)));

        Assert.DoesNotContain("sample", advice, StringComparison.Ordinal);
    }
}
