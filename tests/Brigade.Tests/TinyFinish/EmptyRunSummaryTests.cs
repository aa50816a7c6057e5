namespace Brigade.Tests.TinyFinish;

/// <summary>Review 40 (MINOR): the one-line summary of a run in which no item ran said "speedup 0.00, efficiency 0%".</summary>
public sealed class EmptyRunSummaryTests
{
    [Fact]
    public async Task EmptyInput_SummarySaysNoItemRan_NotASpeedup()
    {
        var result = await Runner.MapAsync(Array.Empty<int>(), x => x, new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = 2 });

        var text = result.Report.ToString();

        Assert.Contains(": 0 items in ", text, StringComparison.Ordinal);
        Assert.Contains(", no item ran, 0 failed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("speedup", text, StringComparison.Ordinal);
        Assert.DoesNotContain("efficiency", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelledBeforeTheFirstItem_SummarySaysNoItemRan_AndWhatWasNotRun()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var error = await Assert.ThrowsAsync<RunCanceledException>(() => Runner.ForEachAsync(Enumerable.Range(0, 10).ToArray(), _ => { }, new RunOptions { Engine = Engine.Sequential }, cancelled.Token));

        var text = error.Report.ToString();
        Assert.Contains(", no item ran, 0 failed, 10 not run", text, StringComparison.Ordinal);
        Assert.DoesNotContain("busy", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunThatRan_StillShowsItsSpeedup()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), x => x + 1, new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = 2 });

        Assert.Contains(", speedup ", result.Report.ToString(), StringComparison.Ordinal);
    }
}
