using System.Collections.Concurrent;
using Brigade.Engines;

namespace Brigade.Tests.Engines;

public sealed class ItemInvocationTests
{
    [Theory(Timeout = 30_000)]
    [InlineData("threads", false, true)]
    [InlineData("threads", true, true)] // under an item retry policy (the resilient path)
    [InlineData("threadpool", false, false)]
    [InlineData("async", false, false)]
    [InlineData("sequential", false, false)]
    public async Task CallerBlocks_OnlyWhileAnEngineThreadThatBlocksCallsTheAsyncWork(string engine, bool retry, bool expected)
    {
        var seen = new ConcurrentBag<(bool Called, bool Continued)>();
        var options = new RunOptions { Engine = Engine.TryGetBuiltIn(engine, out var e) ? e : throw new ArgumentException(engine), MaxDegreeOfParallelism = 2 };
        if (retry)
        {
            options.ItemRetry = new ItemRetryOptions { MaxRetries = 1 };
        }

        var result = await Runner.MapAsync(Enumerable.Range(0, 8).ToArray(), async (x, ct) =>
        {
            var called = ItemInvocation.CallerBlocks;
            await Task.Yield();
            seen.Add((called, ItemInvocation.CallerBlocks));
            return x;
        }, options);

        Assert.Equal(8, result.Report.Succeeded);
        Assert.All(seen, s => Assert.Equal((expected, false), s));
        Assert.False(ItemInvocation.CallerBlocks);
    }
}
