namespace Brigade.Tests.Review41;

/// <summary>
/// Review 41 (the library used as outside code uses it): an item whose exception's <see cref="Exception.Message"/> getter
/// throws. Before, reading the run's values threw the getter's <see cref="InvalidOperationException"/> instead of
/// <see cref="RunFailedException"/>, and <see cref="ItemFailure.ToString"/> threw.
/// </summary>
public sealed class HostileExceptionTests
{
    public static TheoryData<string> Engines => ["sequential", "threadpool", "threads", "async"];

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Engines))]
    public async Task MessageGetterThrows_ValuesThrowsRunFailed_AndFailureDescribesIt(string engine)
    {
        Assert.True(Engine.TryGetBuiltIn(engine, out var chosen));
        var result = await Runner.MapAsync(
            Enumerable.Range(0, 10),
            i => i == 2 ? throw new HostileMessageException() : i,
            new RunOptions { Engine = chosen });

        var failure = Assert.Single(result.Failures);
        Assert.Equal(2, failure.Index);
        var text = failure.ToString();
        Assert.StartsWith("item 2: HostileMessageException: ", text, StringComparison.Ordinal);
        Assert.Contains("Message threw InvalidOperationException", text, StringComparison.Ordinal);
        Assert.Contains("failed: HostileMessageException", result[2].ToString(), StringComparison.Ordinal);

        var thrown = Assert.Throws<RunFailedException>(() => result.Values);
        Assert.Contains("item 2: HostileMessageException", thrown.Message, StringComparison.Ordinal);
        Assert.Same(failure.Exception, thrown.InnerException);
    }

    [Fact(Timeout = 30_000)]
    public async Task SourceThrowsAnExceptionWhoseMessageThrows_SourceFailedException()
    {
        var thrown = await Assert.ThrowsAsync<SourceFailedException>(() => Runner.MapAsync(Source(), i => i));
        Assert.IsType<HostileMessageException>(thrown.InnerException);
        Assert.Equal(3, thrown.ItemsRead);
        Assert.Contains("HostileMessageException", thrown.Message, StringComparison.Ordinal);

        static IEnumerable<int> Source()
        {
            yield return 0;
            yield return 1;
            yield return 2;
            throw new HostileMessageException();
        }
    }

    [Fact]
    public void ExceptionText_ReadsWhatItCan()
    {
        var hostile = new HostileMessageException();
        Assert.Contains("Message threw InvalidOperationException", Internal.ExceptionText.Message(hostile), StringComparison.Ordinal);
        Assert.Null(Internal.ExceptionText.StackTrace(hostile));
        Assert.Equal("plain", Internal.ExceptionText.Message(new InvalidOperationException("plain")));
    }

    private sealed class HostileMessageException : Exception
    {
        public override string Message => throw new InvalidOperationException("the Message getter throws");

        public override string? StackTrace => throw new InvalidOperationException("the StackTrace getter throws");
    }
}
