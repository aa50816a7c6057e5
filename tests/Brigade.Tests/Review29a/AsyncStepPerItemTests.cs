using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Brigade.Internal;
using Brigade.Sinks;
using Brigade.Sources;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review29a;

/// <summary>
/// An <see cref="IAsyncEnumerable{T}"/> whose every step completes asynchronously (review 29a, finding 9: 1-item batches,
/// auto 2.6-7× slower than sequential): one pump reads ahead while the workers run, bounded by a batch, and a worker that
/// comes back takes everything read meanwhile in one batch; every index once, in order, failures and cancellation as before.
/// </summary>
public sealed class AsyncStepPerItemTests
{
    public static TheoryData<string> Engines => [.. EngineNames.All];

    // Every step completes asynchronously: the worst case for batching what is ready.
    private static async IAsyncEnumerable<int> Yielding(int count, Action<int>? produced = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            produced?.Invoke(i);
            yield return i;
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ItemsReadWhileTheWorkerRuns_AreHandedOutInOneBatch_AndTheReadAheadStopsAtOneBatch()
    {
        // Item 0 runs until the pump has read a whole batch ahead (16 items), then a while longer: the pump must stop there
        // (bounded read-ahead), and the worker's next take must get all 16 at once. Before the pump, every batch held 1 item.
        const int BatchSize = 16;
        var source = (AsyncEnumerableSource<int>)ItemSource<int>.From(Yielding(200));
        var peak = 0;
        var sink = new MapSink<int>(null);
        var work = WorkFunction<int, int>.FromSync(x =>
        {
            if (x == 0)
            {
                Assert.True(SpinWait.SpinUntil(() => source.Buffered >= BatchSize, TestTimeouts.Generous));
                for (var i = 0; i < 20; i++)
                {
                    Thread.Sleep(5);
                    peak = Math.Max(peak, source.Buffered);
                }
            }

            return x;
        }, "work");

        var (report, read) = await RunPipeline.RunAsync(source, work, sink, new RunOptions { Engine = Engine.Sequential, BatchSize = BatchSize }, null, CancellationToken.None).Bounded();

        Assert.Equal(200, read);
        Assert.Equal(200, report.Succeeded);
        Assert.Equal(BatchSize, peak);

        // The first batch holds item 0 and whatever else was read when its worker woke; the next, a whole batch.
        Assert.Equal(0, report.Timeline[0].FirstIndex);
        Assert.Equal(report.Timeline[0].Count, report.Timeline[1].FirstIndex);
        Assert.Equal(BatchSize, report.Timeline[1].Count);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task EveryStepAsynchronous_EachIndexOnce_InOrder_OnEveryEngine(string engine)
    {
        const int Count = 20_000;
        var options = new RunOptions { Engine = EngineNames.Create(engine) };

        var map = await Runner.MapAsync(Yielding(Count), x => x * 2L, options).Bounded();
        Assert.Equal(Enumerable.Range(0, Count).Select(x => x * 2L), map.Values);

        var ran = new int[Count];
        var report = await Runner.ForEachAsync(Yielding(Count), x => Interlocked.Increment(ref ran[x]), options).Bounded();
        Assert.Equal(Count, report.Succeeded);
        Assert.All(ran, n => Assert.Equal(1, n));

        var seen = new List<long>();
        await foreach (var r in Runner.StreamAsync(Yielding(Count), x => x, new RunOptions { Engine = EngineNames.Create(engine), PreserveOrder = true }))
        {
            Assert.Equal(r.Index, r.Value);
            seen.Add(r.Index);
        }

        Assert.Equal(Enumerable.Range(0, Count).Select(x => (long)x), seen);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task ProducerThrowsWithItemsReadAhead_ThoseRun_ThenSourceFailed_ItemsReadExact(string engine)
    {
        // The first item runs until the producer has thrown: items 1..49 are then read ahead (or being read), and must all
        // run before the failure is reported, counted in ItemsRead.
        var error = new InvalidOperationException("the producer broke");
        var thrown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ran = new ConcurrentBag<int>();
        var options = new RunOptions { Engine = EngineNames.Create(engine), BatchSize = 64 };

        var ex = await Assert.ThrowsAsync<SourceFailedException>(() => Runner.ForEachAsync(Source(), x =>
        {
            if (x == 0)
            {
                thrown.Task.WaitBounded();
            }

            ran.Add(x);
        }, options).Bounded());

        Assert.Same(error, ex.InnerException);
        Assert.Equal(50, ex.ItemsRead);
        Assert.Equal(50, ex.Report.Succeeded);
        Assert.Equal(Enumerable.Range(0, 50), ran.Order());

        async IAsyncEnumerable<int> Source()
        {
            await foreach (var i in Yielding(50))
            {
                yield return i;
            }

            thrown.TrySetResult();
            throw error;
        }
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task ManyWorkersWaitingForAProducerThatTrickles_NoItemLostOrDoubled(string engine)
    {
        // A channel fed one item at a time by another thread, with pauses: workers (up to 64 threads, 256 async loops)
        // mostly wait for the pump; each item is woken for, taken once, and the run ends when the writer completes.
        var channel = Channel.CreateUnbounded<int>();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                channel.Writer.TryWrite(i);
                if (i % 10 == 0)
                {
                    await Task.Delay(1);
                }
            }

            channel.Writer.Complete();
        });

        var ran = new int[300];
        var report = await Runner.ForEachAsync(channel.Reader.ReadAllAsync(), x => Interlocked.Increment(ref ran[x]), new RunOptions { Engine = EngineNames.Create(engine) }).Bounded();
        await writer.Bounded();

        Assert.Equal(300, report.Succeeded);
        Assert.All(ran, n => Assert.Equal(1, n));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("sequential")]
    [InlineData("threadpool")]
    [InlineData("threads")]
    [InlineData("async")]
    public async Task AnAsyncIteratorThatBlocksItsCaller_FeedbackLoopWithBatchSize1_Completes(string engine)
    {
        // An async iterator over a blocking collection never completes a step asynchronously: its MoveNextAsync blocks the
        // caller until the next input. With BatchSize = 1 (the documented way for such inputs), a take must not call it
        // again while holding the item it took (the pump restarts after a take only for a producer whose steps wait
        // asynchronously): each result writes the next input.
        const int Total = 30;
        using var inputs = new System.Collections.Concurrent.BlockingCollection<int> { 0 };
        var options = new RunOptions { Engine = EngineNames.Create(engine), BatchSize = 1, MaxDegreeOfParallelism = 1 };
        var seen = 0;

        async Task ReadAsync()
        {
            await foreach (var r in Runner.StreamAsync(Blocking(inputs), x => x + 1, options))
            {
                if (++seen == Total)
                {
                    inputs.CompleteAdding();
                }
                else
                {
                    inputs.Add(r.Value);
                }
            }
        }

        try
        {
            await Task.Run(ReadAsync).Bounded();
        }
        finally
        {
            if (!inputs.IsAddingCompleted)
            {
                inputs.CompleteAdding();
            }
        }

        Assert.Equal(Total, seen);

#pragma warning disable CS1998 // An async iterator with no await: it blocks its caller, which is the point.
        static async IAsyncEnumerable<int> Blocking(System.Collections.Concurrent.BlockingCollection<int> items)
#pragma warning restore CS1998
        {
            foreach (var item in items.GetConsumingEnumerable())
            {
                yield return item;
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancelled_WhileEveryWorkerWaitsForTheProducer_TheRunEndsAndThePumpReadsNoFurther()
    {
        // 64 threads wait for a producer that is idle; cancelling ends the run at once, and the producer is not asked for
        // another item once its pending one comes.
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var produced = 0;
        using var cts = new CancellationTokenSource();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Runner.ForEachAsync(Idle(), _ => first.TrySetResult(), new RunOptions { Engine = Engine.Threads }, cts.Token);
        await first.Task.Bounded();
        await cts.CancelAsync();
        await Assert.ThrowsAsync<RunCanceledException>(() => run.Bounded());
        next.TrySetResult();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref produced) >= 2, TestTimeouts.Generous));
        await Task.Delay(100);
        Assert.Equal(2, Volatile.Read(ref produced));

        async IAsyncEnumerable<int> Idle()
        {
            Interlocked.Increment(ref produced);
            yield return 0;
            await next.Task;
            Interlocked.Increment(ref produced);
            yield return 1;
            Interlocked.Increment(ref produced);
            yield return 2;
        }
    }
}
