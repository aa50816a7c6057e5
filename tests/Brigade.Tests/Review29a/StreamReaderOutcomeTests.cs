using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review29a;

/// <summary>
/// What a stream's reader gets (review 29a, findings 3 and 5): its own exception, not a run failure that happened
/// meanwhile; and <see cref="RunCanceledException"/> when it cancels through the enumeration's token.
/// </summary>
public sealed class StreamReaderOutcomeTests
{
    public static TheoryData<string> Engines => [.. EngineNames.All];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task ReaderThrows_AfterTheSourceFailed_GetsItsOwnException_TheRunFailureOnReport(string engine)
    {
        var sourceThrew = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IEnumerable<int> Source()
        {
            for (var i = 0; i < 10; i++)
            {
                yield return i;
            }

            sourceThrew.TrySetResult();
            throw new IOException("the source broke");
        }

        var stream = Runner.StreamAsync(Source(), x => x, new RunOptions { Engine = EngineNames.Create(engine), BatchSize = 1, MaxDegreeOfParallelism = 2 });
        var seen = 0;
        var thrown = await Assert.ThrowsAsync<ApplicationException>(async () =>
        {
            await foreach (var r in stream)
            {
                if (++seen == 3)
                {
                    // The run has failed by now (or fails while the reader leaves): the reader's error still wins.
                    await sourceThrew.Task.Bounded();
                    throw new ApplicationException("the reader's own failure");
                }
            }
        }).Bounded();

        Assert.Equal("the reader's own failure", thrown.Message);
        Assert.NotNull(stream.Report);
        Assert.IsType<IOException>(Assert.IsType<SourceFailedException>(stream.Failure).InnerException); // review 29e: not lost
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task PreCancelledToken_ThrowsRunCanceledException(string engine)
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var stream = Runner.StreamAsync(Enumerable.Range(0, 100), x => x, new RunOptions { Engine = EngineNames.Create(engine) });

        var e = await Assert.ThrowsAsync<RunCanceledException>(async () =>
        {
            await foreach (var r in stream.WithCancellation(cts.Token))
            {
            }
        }).Bounded();

        Assert.True(e.Report.Cancelled);
        Assert.Equal(cts.Token, e.CancellationToken);
        Assert.Same(e.Report, stream.Report);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task CancelledMidStream_ThrowsRunCanceledException_WithTheReport(string engine)
    {
        using var cts = new CancellationTokenSource();
        var stream = Runner.StreamAsync(Enumerable.Range(0, 100_000), x => x, new RunOptions { Engine = EngineNames.Create(engine), BatchSize = 4, MaxDegreeOfParallelism = 2 });
        var seen = 0;

        var e = await Assert.ThrowsAsync<RunCanceledException>(async () =>
        {
            await foreach (var r in stream.WithCancellation(cts.Token))
            {
                if (++seen == 10)
                {
                    await cts.CancelAsync();
                }
            }
        }).Bounded();

        Assert.Equal(10, seen);
        Assert.True(e.Report.Cancelled);
        Assert.Same(e.Report, stream.Report);
        Assert.Equal(e.Report.Items, e.Report.Succeeded + e.Report.Failed + e.Report.NotRun);
    }

    [Fact(Timeout = 60_000)]
    public async Task ReaderBreaks_NoException_TheReportIsSet()
    {
        var stream = Runner.StreamAsync(Enumerable.Range(0, 1000), x => x, new RunOptions { Engine = Engine.ThreadPool, BatchSize = 4 });
        await foreach (var r in stream)
        {
            break;
        }

        Assert.NotNull(stream.Report);
    }
}
