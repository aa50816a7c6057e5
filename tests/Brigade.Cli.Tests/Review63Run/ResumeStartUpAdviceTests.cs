using Brigade.Cli.Run;
using Brigade.Reporting;

namespace Brigade.Cli.Tests.Review63Run;

/// <summary>
/// run63: two lines appended to a 20,000-line input and resumed (`--resume -j 2`) read "why not faster: 12% of the ideal;
/// lost to start-up 96%: ... workers started late: check for a slow input" (with `--engine threads`: "dedicated threads
/// start one at a time: use fewer threads"). The start-up was the resume reading the input again up to where the earlier
/// run stopped and skipping what it had done: the line says so instead.
/// </summary>
public sealed class ResumeStartUpAdviceTests
{
    private const string SlowInput = "workers started late: check for a slow input";

    private const string Threads = "dedicated threads start one at a time: use fewer threads, or asynchronous work on Engine.Async for items that wait";

    private static readonly string LibrarySource = File.ReadAllText(Path.Combine(Repository.Root, "src", "Brigade", "Reporting", "LossBreakdown.cs"));

    [Theory]
    [InlineData(SlowInput)]
    [InlineData(Threads)]
    public void AResumedRunsStartUp_ThatWasTheSkip_SaysSo(string advice)
    {
        Assert.Contains(advice, LibrarySource, StringComparison.Ordinal); // the library's words, as the run printed them
        var startUp = new RunLoss(LossCause.StartUp, TimeSpan.FromSeconds(0.95), 0.96, "0.47 s on average before each worker's first batch", advice);
        var summary = $"12% of the ideal; lost to start-up 96%: start-up cost 96% of the gap: {advice}";

        var said = RunLossAdvice.ForResumed(summary, startUp, width: 2, skipped: 20_004, skipping: TimeSpan.FromSeconds(0.45));

        Assert.DoesNotContain(advice, said, StringComparison.Ordinal);
        Assert.Contains("skipped the 20,004 items done then (0.45 s before the first item ran", said, StringComparison.Ordinal);
        Assert.StartsWith("12% of the ideal; lost to start-up 96%: start-up cost 96% of the gap: it read its input again", said, StringComparison.Ordinal);
    }

    [Fact]
    public void AResumedRunsStartUp_ThatTheSkipWasLittleOf_KeepsTheLibrarysAdvice()
    {
        // 20 ms of skipping on two lanes is 40 ms of a 0.95 s start-up: something else started the workers late.
        var startUp = new RunLoss(LossCause.StartUp, TimeSpan.FromSeconds(0.95), 0.96, "", SlowInput);
        var summary = $"12% of the ideal; lost to start-up 96%: start-up cost 96% of the gap: {SlowInput}";

        Assert.Equal(summary, RunLossAdvice.ForResumed(summary, startUp, width: 2, skipped: 100, skipping: TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public void ARunThatSkippedNothing_KeepsTheLibrarysAdvice()
    {
        var startUp = new RunLoss(LossCause.StartUp, TimeSpan.FromSeconds(0.95), 0.96, "", SlowInput);
        var summary = $"12% of the ideal; lost to start-up 96%: start-up cost 96% of the gap: {SlowInput}";

        Assert.Equal(summary, RunLossAdvice.ForResumed(summary, startUp, width: 2, skipped: 0, skipping: TimeSpan.Zero));
        Assert.Equal(summary, RunLossAdvice.ForResumed(summary, null, width: 2, skipped: 20_004, skipping: TimeSpan.FromSeconds(0.45)));
    }
}
