using Brigade.Reporting;
using Brigade.Tests.Reporting;

namespace Brigade.Tests.Review47;

/// <summary>
/// Review 47 (left by review 46): every short <c>brigade run</c> on the cluster or on worker processes ended with "reuse
/// the engine across runs, so that its workers are warm", which a command-line user cannot do: each invocation makes its
/// own engine. In the brigade command the advice now says what such a user can do; a program is still told to reuse it.
/// </summary>
public sealed class StartUpReuseAdviceTests
{
    // Two remote workers whose first batch started 150 ms into a 200 ms run: start-up is most of the gap.
    private static RunReport RemoteLateStart() => LateStartReports.Build("processes", remoteWorkers: true);

    private static string StartUpAdvice(RunLosses losses)
    {
        Assert.Equal(LossCause.StartUp, losses.Causes.Where(c => c.Cause != LossCause.Unexplained).MaxBy(c => c.Time)!.Cause);
        return Assert.Single(losses.Advice, a => a.StartsWith(LossText.Name(LossCause.StartUp), StringComparison.Ordinal));
    }

    [Fact]
    public void InTheCommand_NoAdviceToReuseTheEngine()
    {
        var report = RemoteLateStart();
        var advice = StartUpAdvice(LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: false));

        Assert.DoesNotContain("reuse the engine", advice, StringComparison.Ordinal);
        Assert.Contains("give one invocation more items", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void InAProgram_ReuseTheEngine()
    {
        // The test host is a program, not the brigade command: the default keeps the advice.
        var advice = StartUpAdvice(RemoteLateStart().Losses);

        Assert.Contains("reuse the engine across runs", advice, StringComparison.Ordinal);
    }
}
