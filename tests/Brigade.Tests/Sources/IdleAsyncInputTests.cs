namespace Brigade.Tests.Sources;

/// <summary>
/// An asynchronous input whose producer is idle and ignores the token: cancelling the run, or a stream's reader leaving,
/// ends the run without waiting for the producer's next item (review 19 S1-a: both waited for it, possibly for ever).
/// </summary>
public sealed class IdleAsyncInputTests
{
    // An asynchronous input whose producer is idle and does not watch the token it is enumerated with (an iterator
    // without [EnumeratorCancellation], a socket or stdin read that cannot be cancelled): the item after the first
    // comes only when the test releases it.
    private static async IAsyncEnumerable<int> IdleProducer(Task next)
    {
        yield return 0;
        await next.ConfigureAwait(false);
        yield return 1;
    }

    [Theory(Timeout = 30_000)]
    [InlineData("threads")]
    [InlineData("threadpool")]
    public async Task ForEachAsync_AsyncInputWhoseProducerIsIdle_Cancelled_TheRunEnds(string engine)
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var options = new RunOptions { Engine = engine == "threads" ? Engine.Threads : Engine.ThreadPool, MaxDegreeOfParallelism = 2, BatchSize = 1 };
        var run = Runner.ForEachAsync(IdleProducer(next.Task), _ => first.TrySetResult(), options, cts.Token);
        try
        {
            await first.Task;
            await Task.Delay(100); // the workers are now waiting for the producer's next item
            await cts.CancelAsync();
            // A run that waits for the producer waits for good (until the finally below): the bound is only how long
            // a machine at load 40 may take to end a run that does not (it was 5 s).
            var ended = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20)));
            Assert.True(ReferenceEquals(run, ended), "cancelled, the run still waits for the producer's next item");
        }
        finally
        {
            next.TrySetResult();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task StreamAsync_AsyncInputWhoseProducerIsIdle_ReaderLeaves_DisposeEnds()
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = Runner.StreamAsync(IdleProducer(next.Task), x => x, new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1 });
        var e = stream.GetAsyncEnumerator();
        Task? left = null;
        try
        {
            Assert.True(await e.MoveNextAsync());
            await Task.Delay(100);
            left = e.DisposeAsync().AsTask();
            var ended = await Task.WhenAny(left, Task.Delay(TimeSpan.FromSeconds(20))); // as above
            Assert.True(ReferenceEquals(left, ended), "the reader left, and its DisposeAsync waits for the producer's next item");
        }
        finally
        {
            next.TrySetResult();
            await (left ?? e.DisposeAsync().AsTask());
        }
    }
}
