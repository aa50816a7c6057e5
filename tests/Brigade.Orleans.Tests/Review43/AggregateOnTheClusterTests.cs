namespace Brigade.Orleans.Tests.Review43;

/// <summary>Review 43: an <see cref="AggregateException"/> thrown by work on a silo reached the caller with its first
/// inner exception only; every inner exception now crosses (a new, version-tolerant field of the cluster's error data).</summary>
[Collection("cluster")]
public sealed class AggregateOnTheClusterTests(ClusterFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task AggregateOfThree_EveryInnerExceptionReachesTheCaller()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 6), new R43ClusterThrowsAggregate(), new RunOptions { Engine = fixture.Engine });

        var failure = Assert.Single(result.Failures);
        Assert.Equal(3, failure.Index);
        var aggregate = Assert.IsType<RemoteWorkException>(failure.Exception);
        Assert.Equal(typeof(AggregateException).FullName, aggregate.RemoteType);
        Assert.Equal(["first", "second", "third"], aggregate.InnerExceptions.Select(e => e.Message));
        Assert.Equal(
            [typeof(InvalidOperationException).FullName, typeof(ArgumentException).FullName, typeof(FormatException).FullName],
            aggregate.InnerExceptions.Select(e => e.RemoteType));
        Assert.Equal("second's cause", aggregate.InnerExceptions[1].InnerException!.Message);
        Assert.EndsWith("[inner: InvalidOperationException, ArgumentException, FormatException]", failure.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>Item 3 throws an aggregate of three, the second with an inner exception of its own.</summary>
public sealed class R43ClusterThrowsAggregate : IWork<int, int>
{
    public int Execute(int input) => input == 3
        ? throw new AggregateException(new InvalidOperationException("first"), new ArgumentException("second", new KeyNotFoundException("second's cause")), new FormatException("third"))
        : input;
}
