using Brigade.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests;

/// <summary>Report timings come from the run's <see cref="TimeProvider"/>: with a fake clock they are exact.</summary>
public sealed class RunReportTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static async Task<RunReport> RunSequentialAsync(FakeTimeProvider clock, int items, TimeSpan perItem, string? label = null)
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, items).ToArray(), x =>
        {
            clock.Advance(perItem);
            return x;
        }, new RunOptions { Engine = Engine.Sequential, BatchSize = 1, TimeProvider = clock, Label = label }).Bounded();
        return result.Report;
    }

    [Fact]
    public async Task Report_FakeClock_TimesAndTimelineAreExact()
    {
        var clock = new FakeTimeProvider(Start);

        var report = await RunSequentialAsync(clock, 4, TimeSpan.FromMilliseconds(250), "fake");

        Assert.Equal(Start, report.StartedAt);
        Assert.Equal(TimeSpan.FromSeconds(1), report.WallTime);
        Assert.Equal(TimeSpan.FromSeconds(1), report.BusyTime);
        Assert.Equal(report.BusyTime, report.SequentialEstimate);
        Assert.Equal(1.0, report.Speedup, 9);
        Assert.Equal(1.0, report.Efficiency, 9);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(report.Workers).BusyTime);
        Assert.Equal(new[] { 0, 250, 500, 750 }.Select(ms => TimeSpan.FromMilliseconds(ms)), report.Timeline.Select(e => e.Start));
        Assert.All(report.Timeline, e => Assert.Equal(TimeSpan.FromMilliseconds(250), e.Duration));
        Assert.Equal(TimeSpan.FromSeconds(1), report.Timeline[^1].End);
        Assert.Equal("fake", report.Label);
    }

    [Fact]
    public async Task SpeedupOver_HalfTheWallTime_IsTwo()
    {
        var clock = new FakeTimeProvider(Start);
        var baseline = await RunSequentialAsync(clock, 4, TimeSpan.FromMilliseconds(250));
        var faster = await RunSequentialAsync(clock, 4, TimeSpan.FromMilliseconds(125));

        Assert.Equal(2.0, faster.SpeedupOver(baseline), 9);
        Assert.Equal(0.5, baseline.SpeedupOver(faster), 9);
        Assert.Equal(TimeSpan.FromSeconds(1), faster.StartedAt - baseline.StartedAt);
    }

    [Fact]
    public async Task ToString_SuccessfulRun_IsOneLineSummary()
    {
        var report = await RunSequentialAsync(new FakeTimeProvider(Start), 4, TimeSpan.FromMilliseconds(250), "fake");

        var text = report.ToString();

        Assert.StartsWith("sequential ×1 [fake]: 4 items in 1.000 s, cpu ", text, StringComparison.Ordinal);
        Assert.EndsWith(", baseline, busy 100%, 0 failed", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
    }

    [Fact]
    public async Task ToString_StoppedRun_SaysHowManyNotRun()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 10).ToArray(), x => x == 2 ? throw new InvalidOperationException() : x,
            new RunOptions { Engine = Engine.Sequential, FailureMode = FailureMode.StopOnFirstFailure }).Bounded();

        Assert.EndsWith("1 failed, 7 not run", result.Report.ToString(), StringComparison.Ordinal);
        Assert.False(result.Report.IsSuccess);
        Assert.Throws<RunFailedException>(result.Report.ThrowIfFailed);
    }
}
