namespace Brigade.Processes.Tests.Review43;

/// <summary>
/// Review 43: an <see cref="AggregateException"/> thrown by work in a worker process reached the caller with its first
/// inner exception only (the wire carried one inner exception per level). Every inner exception now crosses: type,
/// message, stack trace, and their own inner exceptions.
/// </summary>
public sealed class AggregateAcrossTheWireTests
{
    [Fact(Timeout = 60_000)]
    public async Task AggregateOfThree_EveryInnerException_ReachesTheFailureAndTheRunsException()
    {
        await using var engine = TestEngines.Create();
        var result = await Runner.MapAsync(Enumerable.Range(0, 8), new R43ThrowsAggregate(), TestEngines.Run(engine));

        Assert.Equal([3L, 5L], result.Failures.Select(f => f.Index));
        var aggregate = Assert.IsType<RemoteWorkException>(result.Failures[0].Exception);
        Assert.Equal(typeof(AggregateException).FullName, aggregate.RemoteType);
        Assert.Equal(
            [typeof(InvalidOperationException).FullName, typeof(ArgumentException).FullName, typeof(FormatException).FullName],
            aggregate.InnerExceptions.Select(e => e.RemoteType));
        Assert.Equal(["first", "second", "third"], aggregate.InnerExceptions.Select(e => e.Message));
        Assert.All(aggregate.InnerExceptions, e => Assert.Contains(nameof(R43ThrowsAggregate), e.RemoteStackTrace, StringComparison.Ordinal));
        Assert.Same(aggregate.InnerExceptions[0], aggregate.InnerException);
        var cause = Assert.IsType<RemoteWorkException>(aggregate.InnerExceptions[1].InnerException);
        Assert.Equal(typeof(KeyNotFoundException).FullName, cause.RemoteType);
        Assert.Equal("second's cause", cause.Message);

        // An aggregate below an ordinary exception keeps both of its inner exceptions too.
        var outer = Assert.IsType<RemoteWorkException>(result.Failures[1].Exception);
        var pair = Assert.IsType<RemoteWorkException>(outer.InnerException);
        Assert.Equal(["left", "right"], pair.InnerExceptions.Select(e => e.Message));
        Assert.Equal([typeof(TimeoutException).FullName, typeof(FormatException).FullName], pair.InnerExceptions.Select(e => e.RemoteType));

        // What a user logs: the failure line names the three types, ToString shows each with its stack.
        var line = result.Failures[0].ToString();
        Assert.StartsWith("item 3: AggregateException: ", line, StringComparison.Ordinal);
        Assert.EndsWith("[inner: InvalidOperationException, ArgumentException, FormatException]", line, StringComparison.Ordinal);
        var text = aggregate.ToString();
        foreach (var message in new[] { "first", "second", "second's cause", "third" })
        {
            Assert.Contains(message, text, StringComparison.Ordinal);
        }

        Assert.Contains("(Inner Exception #2) System.FormatException: third", text, StringComparison.Ordinal);
        var thrown = Assert.Throws<RunFailedException>(() => result.Values);
        Assert.Contains("[inner: InvalidOperationException, ArgumentException, FormatException]", thrown.Message, StringComparison.Ordinal);
        Assert.Same(aggregate, thrown.InnerException);
    }
}
