using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review29a;

/// <summary>
/// Items already read from an <see cref="IAsyncEnumerable{T}"/> run without waiting for the producer's next item
/// (review 29a, finding 2: a batch that held items awaited the producer before it was handed out, so a burst's tail
/// waited for the next burst, and a crawler whose results feed its input deadlocked).
/// </summary>
public sealed class HeldAsyncItemsTests
{
    public static TheoryData<string> Engines => [.. EngineNames.All];

    public static TheoryData<string, int?> EnginesAndBatches
    {
        get
        {
            var data = new TheoryData<string, int?>();
            foreach (var engine in EngineNames.All)
            {
                data.Add(engine, null);
                data.Add(engine, 8);
            }

            return data;
        }
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task ThreeItemsInAnOpenChannel_BatchSize8_AllThreeResultsArrive(string engine)
    {
        var channel = Channel.CreateUnbounded<int>();
        for (var i = 0; i < 3; i++)
        {
            channel.Writer.TryWrite(i);
        }

        var options = new RunOptions { Engine = EngineNames.Create(engine), BatchSize = 8, MaxDegreeOfParallelism = 2 };
        var stream = Runner.StreamAsync(channel.Reader.ReadAllAsync(), x => x * 10, options);
        var results = new List<int>();
        var e = stream.GetAsyncEnumerator();
        try
        {
            // The writer stays open: before the fix the batch [0, 1, 2] waited for a fourth item that never came.
            for (var i = 0; i < 3; i++)
            {
                Assert.True(await e.MoveNextAsync().AsTask().Bounded());
                results.Add(e.Current.Value);
            }

            channel.Writer.Complete();
            Assert.False(await e.MoveNextAsync().AsTask().Bounded());
        }
        finally
        {
            channel.Writer.TryComplete();
            await e.DisposeAsync().AsTask().Bounded();
        }

        Assert.Equal([0, 10, 20], results.Order());
        Assert.NotNull(stream.Report);
        Assert.Equal(3, stream.Report.Succeeded);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(EnginesAndBatches))]
    public async Task CrawlerFeedback_EachResultWritesTheNextInput_Completes(string engine, int? batchSize)
    {
        const int Total = 40;
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(0);
        var options = new RunOptions { Engine = EngineNames.Create(engine), BatchSize = batchSize, MaxDegreeOfParallelism = 1 };
        var seen = 0;

        async Task ReadAsync()
        {
            await foreach (var r in Runner.StreamAsync(channel.Reader.ReadAllAsync(), x => x + 1, options))
            {
                if (++seen == Total)
                {
                    channel.Writer.Complete();
                }
                else
                {
                    channel.Writer.TryWrite(r.Value);
                }
            }
        }

        try
        {
            await ReadAsync().Bounded();
        }
        finally
        {
            channel.Writer.TryComplete();
        }

        Assert.Equal(Total, seen);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task ForEach_ItemsHeldWhileTheProducerWaits_RunBeforeItsNextItem(string engine)
    {
        // The producer writes its next burst only once every item of the first has run.
        var channel = Channel.CreateUnbounded<int>();
        var firstBurstRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ran = 0;
        for (var i = 0; i < 5; i++)
        {
            channel.Writer.TryWrite(i);
        }

        var producer = Task.Run(async () =>
        {
            await firstBurstRan.Task.Bounded();
            channel.Writer.TryWrite(5);
            channel.Writer.Complete();
        });

        var options = new RunOptions { Engine = EngineNames.Create(engine), BatchSize = 16 };
        var report = await Runner.ForEachAsync(channel.Reader.ReadAllAsync(), _ =>
        {
            if (Interlocked.Increment(ref ran) == 5)
            {
                firstBurstRan.TrySetResult();
            }
        }, options).Bounded();
        await producer.Bounded();

        Assert.Equal(6, report.Succeeded);
    }

    [Fact(Timeout = 60_000)]
    public async Task AnInputThatCompletesSynchronously_StillFillsWholeBatches()
    {
        var channel = Channel.CreateUnbounded<int>();
        for (var i = 0; i < 1000; i++)
        {
            channel.Writer.TryWrite(i);
        }

        channel.Writer.Complete();
        var report = await Runner.ForEachAsync(channel.Reader.ReadAllAsync(), _ => { }, new RunOptions { Engine = Engine.Sequential, BatchSize = 100 }).Bounded();

        Assert.Equal(1000, report.Succeeded);
        Assert.Equal(10, report.Batches);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("threadpool")]
    [InlineData("async")]
    public async Task ReaderLeavesWhileTheProducerStepIsPending_DisposeEnds_AndTheProducerIsDisposed(string engine)
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = Runner.StreamAsync(Producer(disposed), x => x, new RunOptions { Engine = EngineNames.Create(engine), BatchSize = 8 });
        var seen = 0;
        async Task ReadAsync()
        {
            await foreach (var r in stream)
            {
                if (++seen == 3)
                {
                    break;
                }
            }
        }

        await ReadAsync().Bounded();
        await disposed.Task.Bounded();
        Assert.Equal(3, seen);
        Assert.NotNull(stream.Report);

        static async IAsyncEnumerable<int> Producer(TaskCompletionSource disposed, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            try
            {
                for (var i = 0; i < 3; i++)
                {
                    yield return i;
                }

                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                yield return 3;
            }
            finally
            {
                disposed.TrySetResult();
            }
        }
    }
}
