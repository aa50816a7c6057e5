using Brigade.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests;

/// <summary>Progress runs on the run's <see cref="TimeProvider"/>, so a fake clock says exactly when it is reported.</summary>
public sealed class ProgressTests
{
    [Fact]
    public async Task Progress_ClockPassesInterval_ReportsItemsCompletedSoFar()
    {
        var clock = new FakeTimeProvider();
        var progress = new RecordingProgress();
        var options = new RunOptions { Engine = Engine.Sequential, BatchSize = 1, TimeProvider = clock, Progress = progress };

        await Runner.MapAsync(Enumerable.Range(0, 10).ToArray(), x =>
        {
            // Items 0-4 are done and item 5 is running when the 100 ms progress interval elapses.
            if (x == 5)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
            }

            return x;
        }, options).Bounded();

        var reports = progress.Reports;
        Assert.Equal(2, reports.Count);
        var during = reports[0];
        Assert.Equal(5, during.Completed);
        Assert.Equal(1, during.Running);
        Assert.Equal(0, during.Failed);
        Assert.Equal(10, during.Total);
        Assert.Equal(TimeSpan.FromMilliseconds(100), during.Elapsed);
        Assert.Equal(50, during.ItemsPerSecond, 6);
        Assert.Equal(TimeSpan.FromMilliseconds(100), during.EstimatedRemaining);

        var final = reports[1];
        Assert.Equal(10, final.Completed);
        Assert.Equal(0, final.Running);
    }

    [Fact]
    public async Task Progress_ClockStands_ReportsOnlyOnceAtTheEnd()
    {
        var progress = new RecordingProgress();
        var options = new RunOptions { Engine = Engine.ThreadPool, TimeProvider = new FakeTimeProvider(), Progress = progress };

        await Runner.ForEachAsync(Enumerable.Range(0, 100), _ => { }, options).Bounded();

        var report = Assert.Single(progress.Reports);
        Assert.Equal(100, report.Completed);
    }

    [Fact]
    public void RunProgress_NothingCompleted_HasNoEstimate()
    {
        var progress = new RunProgress(0, 0, 2, 10, TimeSpan.FromSeconds(1));

        Assert.Equal(0, progress.ItemsPerSecond);
        Assert.Null(progress.EstimatedRemaining);
    }
}
