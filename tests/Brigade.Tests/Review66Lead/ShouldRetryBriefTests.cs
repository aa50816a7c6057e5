namespace Brigade.Tests.Review66Lead;

// Review 66 (lib66's leftover): a ShouldRetry predicate that throws makes an AggregateException whose message quoted both
// exceptions' messages whole: an item's 1 MB message made a 1 MB message more per failed item. It quotes at most 500
// characters of each, on one line, with the length said (as RunFailedException does since lib66); the whole messages stay
// on the inner exceptions.
public sealed class ShouldRetryBriefTests
{
    [Fact]
    public async Task PredicateThrowing_OnAHugeMessage_QuotesItBriefly()
    {
        var huge = new string('x', 1_000_000);
        var result = await Runner.MapAsync(Enumerable.Range(0, 4), i => i == 1 ? throw new InvalidOperationException(huge) : i,
            new RunOptions
            {
                Engine = Engine.Sequential,
                ItemRetry = new ItemRetryOptions { MaxRetries = 1, Delay = TimeSpan.Zero, ShouldRetry = _ => throw new ArgumentException("the predicate's bug\nsecond line") },
            });

        var failure = Assert.Single(result.Failures);
        Assert.Equal(1, failure.Index);
        var both = Assert.IsType<AggregateException>(failure.Exception);
        // AggregateException.Message appends each inner exception's message in parentheses (the runtime's, whole): once,
        // not a second time in Brigade's own sentence.
        var ours = both.Message[..both.Message.IndexOf("Inside:", StringComparison.Ordinal)];
        Assert.True(ours.Length < 2_000, $"Brigade's sentence is {ours.Length:N0} characters");
        Assert.Contains("(1,000,000 characters)", ours, StringComparison.Ordinal);
        Assert.Contains("the predicate's bug second line", ours, StringComparison.Ordinal);
        Assert.Equal(huge, both.InnerExceptions[0].Message);
    }
}
