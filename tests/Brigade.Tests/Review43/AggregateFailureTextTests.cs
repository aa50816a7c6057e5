namespace Brigade.Tests.Review43;

/// <summary>Review 43: a failure line names the types of an aggregate's inner exceptions (the aggregate's message holds
/// their messages only), in process as across a boundary.</summary>
public sealed class AggregateFailureTextTests
{
    [Fact(Timeout = 30_000)]
    public async Task AggregateOfThree_InProcess_TheFailureLineNamesEveryInnerType()
    {
        var result = await Runner.MapAsync(
            Enumerable.Range(0, 4),
            i => i == 2 ? throw new AggregateException(new InvalidOperationException("a"), new ArgumentException("b"), new FormatException("c")) : i,
            new RunOptions { Engine = Engine.Sequential });

        var line = Assert.Single(result.Failures).ToString();
        Assert.Equal("item 2: AggregateException: One or more errors occurred. (a) (b) (c) [inner: InvalidOperationException, ArgumentException, FormatException]", line);
    }

    [Fact]
    public void RemoteAggregate_RebuiltFromTheWireData_KeepsEveryInnerException()
    {
        var error = Brigade.Engines.Remote.RemoteError.From(new AggregateException(new InvalidOperationException("a"), new ArgumentException("b", new FormatException("b's cause"))));

        var rebuilt = error.ToException("pid 1");

        Assert.Equal(["a", "b"], rebuilt.InnerExceptions.Select(e => e.Message));
        Assert.Equal("b's cause", rebuilt.InnerExceptions[1].InnerException!.Message);
        Assert.Equal("item 7: AggregateException: One or more errors occurred. (a) (b) [inner: InvalidOperationException, ArgumentException]", new ItemFailure(7, rebuilt).ToString());
        Assert.Contains("(Inner Exception #1) System.ArgumentException: b", rebuilt.ToString(), StringComparison.Ordinal);
    }
}
