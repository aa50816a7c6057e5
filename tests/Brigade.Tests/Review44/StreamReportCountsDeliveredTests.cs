namespace Brigade.Tests.Review44;

/// <summary>
/// Review 44: the report of a stream its reader left (<c>break</c>) or cancelled counted as succeeded and failed every item
/// that ran, also those that finished after the reader stopped and so never reached it (and said <c>Cancelled = false</c>
/// for a reader that left). It now counts what the reader received; the rest are <see cref="RunReport.Undelivered"/>.
/// </summary>
/// <remarks>Deterministic: item 0 (the first an ordered stream hands out) finishes only once item 1 has succeeded and item
/// 2 has failed on the other worker, so both are finished, undelivered, when the reader stops after item 0.</remarks>
public sealed class StreamReportCountsDeliveredTests
{
    public static TheoryData<string> Engines => new() { "threadpool", "threads", "async" };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task ReaderBreaksAfterTheFirstResult_TheReportCountsWhatItReceived_AndSaysItWasAbandoned(string engine)
    {
        var stream = Start(engine);
        var received = new List<ItemResult<int>>();

        await foreach (var result in stream)
        {
            received.Add(result);
            break;
        }

        var report = stream.Report!;
        Assert.Equal(0, Assert.Single(received).Value);
        Assert.Equal(1, report.Succeeded);
        Assert.Equal(0, report.Failed);
        Assert.Empty(report.Failures);
        Assert.True(report.Abandoned);
        Assert.False(report.Cancelled);
        Assert.InRange(report.Undelivered, 2, 19);
        Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
        Assert.False(report.IsSuccess);
        Assert.Contains("abandoned by its reader", report.ToString(), StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task ReaderCancelsAfterTheFirstResult_TheReportCountsWhatItReceived_AndSaysItWasCancelled(string engine)
    {
        var stream = Start(engine);
        using var cts = new CancellationTokenSource();
        var received = 0;

        var thrown = await Assert.ThrowsAsync<RunCanceledException>(async () =>
        {
            await foreach (var result in stream.WithCancellation(cts.Token))
            {
                received++;
                await cts.CancelAsync();
            }
        });

        Assert.Equal(1, received);
        Assert.Same(stream.Report, thrown.Report);
        var report = thrown.Report;
        Assert.Equal(1, report.Succeeded);
        Assert.Equal(0, report.Failed);
        Assert.Empty(report.Failures);
        Assert.True(report.Cancelled);
        Assert.False(report.Abandoned);
        Assert.InRange(report.Undelivered, 2, 19);
        Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
    }

    [Fact(Timeout = 60_000)]
    public async Task StreamReadToTheEnd_NothingUndelivered_NotAbandoned()
    {
        var stream = Runner.StreamAsync(Enumerable.Range(0, 20), i => i == 3 ? throw new InvalidOperationException("three") : i, new RunOptions { Engine = Engine.ThreadPool });
        var received = 0;
        await foreach (var result in stream)
        {
            received++;
        }

        var report = stream.Report!;
        Assert.Equal(20, received);
        Assert.Equal(19, report.Succeeded);
        Assert.Equal(1, report.Failed);
        Assert.Equal(0, report.Undelivered);
        Assert.False(report.Abandoned);
    }

    private static RunStream<int> Start(string engine)
    {
        Assert.True(Engine.TryGetBuiltIn(engine, out var chosen));
        var firstDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = Runner.StreamAsync(Enumerable.Range(0, 20), async (i, _) =>
        {
            switch (i)
            {
                case 0:
                    // The run's token is ignored on purpose: what ends after the reader stopped is what is being counted.
                    await Task.WhenAll(firstDone.Task, secondDone.Task).WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
                    return 0;
                case 1:
                    firstDone.TrySetResult();
                    return 1;
                case 2:
                    secondDone.TrySetResult();
                    throw new InvalidOperationException("item 2 fails");
                default:
                    return i;
            }
        }, new RunOptions { Engine = chosen, MaxDegreeOfParallelism = 2, BatchSize = 1, PreserveOrder = true });
        return stream;
    }
}
