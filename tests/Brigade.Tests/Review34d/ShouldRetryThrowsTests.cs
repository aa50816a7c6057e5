using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review34d;

// Review 34d: an ItemRetryOptions.ShouldRetry predicate that threw replaced the item's own exception: the failure of
// the item was reported with the predicate's exception alone, and what the item failed with was lost. Now the item is
// not retried and is reported with both: an AggregateException holding the item's exception, then the predicate's.
public sealed class ShouldRetryThrowsTests
{
    public static TheoryData<string> Engines() => new("sequential", "threadpool", "threads", "async", "auto");

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ShouldRetryThrows_TheItemsOwnExceptionIsKept(string engineName)
    {
        Assert.True(Engine.TryGetBuiltIn(engineName, out var engine));
        var calls = 0;

        var result = await Runner.MapAsync(Enumerable.Range(0, 20), i =>
            {
                if (i == 3)
                {
                    Interlocked.Increment(ref calls);
                    throw new InvalidOperationException("the item's own failure");
                }

                return i;
            },
            new RunOptions
            {
                Engine = engine,
                ItemRetry = new ItemRetryOptions { MaxRetries = 2, Delay = TimeSpan.Zero, ShouldRetry = _ => throw new ArgumentException("the predicate's bug") },
            }).Bounded();

        var failure = Assert.Single(result.Failures);
        Assert.Equal(3, failure.Index);
        Assert.Equal(1, calls);
        var both = Assert.IsType<AggregateException>(failure.Exception);
        Assert.Collection(both.InnerExceptions,
            e => Assert.Equal("the item's own failure", Assert.IsType<InvalidOperationException>(e).Message),
            e => Assert.IsType<ArgumentException>(e));
        Assert.Contains("ShouldRetry", both.Message, StringComparison.Ordinal);
        Assert.Equal(19, result.Report.Succeeded);
    }
}
