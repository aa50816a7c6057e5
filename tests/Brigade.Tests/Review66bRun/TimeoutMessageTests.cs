namespace Brigade.Tests.Review66bRun;

/// <summary>
/// Review 66b: an item that outlived its timeout failed with "its timeout of 00:00:02" (a <see cref="TimeSpan"/>'s default
/// format) where the rest of Brigade says "2 s" (<c>brigade run</c>'s "timed out after 2 s").
/// </summary>
public sealed class TimeoutMessageTests
{
    [Fact(Timeout = 60_000)]
    public async Task AnAbandonedAttempt_SaysItsTimeoutInSeconds()
    {
        Assert.True(Engine.TryGetBuiltIn("threadpool", out var engine));
        var options = new RunOptions { Engine = engine, ItemTimeout = TimeSpan.FromMilliseconds(250) };

        var run = Runner.MapAsync([0], async (int i, CancellationToken ct) =>
        {
            await new TaskCompletionSource().Task.ConfigureAwait(false);
            return i;
        }, options);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        var message = Assert.Single(result.Failures).Exception.Message;
        Assert.Contains("ignored its cancellation", message, StringComparison.Ordinal);
        Assert.Contains("past its timeout of 0.25 s,", message, StringComparison.Ordinal);
        Assert.DoesNotContain("00:00", message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ALateSynchronousResult_SaysItsTimeoutInSeconds()
    {
        Assert.True(Engine.TryGetBuiltIn("threads", out var engine));
        var options = new RunOptions { Engine = engine, ItemTimeout = TimeSpan.FromMilliseconds(50) };

        // Synchronous work has no token: it runs to its end, well past the timeout, and its result is discarded.
        var run = Runner.MapAsync([0], (int i) =>
        {
            Thread.Sleep(300);
            return i;
        }, options);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        var message = Assert.Single(result.Failures).Exception.Message;
        Assert.Contains("took longer than its timeout of 0.05 s;", message, StringComparison.Ordinal);
        Assert.DoesNotContain("00:00", message, StringComparison.Ordinal);
    }
}
