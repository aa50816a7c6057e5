using System.Buffers.Binary;
using Brigade.Internal;
using Brigade.Processes.Internal;

namespace Brigade.Processes.Tests.Review65;

/// <summary>
/// Review 65: auto mode on worker processes (<c>brigade advise --engines processes</c>) read CPU-bound work as "mixed" on a
/// loaded machine (a 3 ms hashing item, cpu/wall 0.37 at load 12 on 2 cores), because the worker's own time on a batch held
/// its waits for a core. A worker now reads its thread's run-queue wait (<c>/proc/self/task/TID/schedstat</c>) over each
/// chunk and sends it in the Results frame (protocol version 7), after the chunk's CPU; -1 when it did not measure it.
/// </summary>
public sealed class RunQueueWireTests
{
    private const long BatchId = 5;

    // Where the wait sits in a Results payload: batch id (8), offset (4), count (4), flags (1), elapsed (8), CPU (8).
    private const int RunQueueAt = 8 + 4 + 4 + 1 + 8 + 8;
    private const int ElapsedAt = 8 + 4 + 4 + 1;

    [Fact]
    public void SynchronousWork_SendsItsThreadsWaitForACore_WithinTheChunksTime()
    {
        var (frames, codec) = Run<Spin, int, int>([1, 2, 3]);
        using (codec)
        {
            var chunk = Decode(codec, Assert.Single(frames), 3);

            if (ThreadSchedStat.IsSupported)
            {
                var wait = Assert.NotNull(chunk.RunQueueWait);
                Assert.InRange(wait, TimeSpan.Zero, chunk.Elapsed);
            }
            else
            {
                Assert.Null(chunk.RunQueueWait);
            }
        }
    }

    [Fact]
    public void AsynchronousWork_SendsNoWait()
    {
        // Its items run on whichever threads their continuations find: no one thread's wait is theirs.
        var (frames, codec) = Run<SpinAsync, int, int>([1, 2]);
        using (codec)
        {
            var payload = Assert.Single(frames);
            Assert.Equal(-1, BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(RunQueueAt)));
            Assert.Null(Decode(codec, payload, 2).RunQueueWait);
        }
    }

    [Theory]
    [InlineData(12_345L, 12_345L)]
    [InlineData(0L, 0L)]
    [InlineData(-1L, null)]
    [InlineData(long.MaxValue, null)]
    public void TheWaitInAResultsFrame_ReachesTheHost_AndOnlyWhenItFitsTheChunk(long sent, long? received)
    {
        var (frames, codec) = Run<Spin, int, int>([1]);
        using (codec)
        {
            var payload = Assert.Single(frames);
            BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(ElapsedAt), TimeSpan.FromMilliseconds(50).Ticks);
            BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(RunQueueAt), sent);

            var chunk = Decode(codec, payload, 1);

            Assert.Equal(TimeSpan.FromMilliseconds(50), chunk.Elapsed);
            Assert.Equal(received is { } ticks ? TimeSpan.FromTicks(ticks) : null, chunk.RunQueueWait);
        }
    }

    private static ResultChunk Decode<TIn, TOut>(BatchCodec<TIn, TOut> codec, byte[] payload, int count)
    {
        var values = new TOut[count];
        var failures = new List<ItemFailure>();
        var chunk = codec.DecodeResults(payload, BatchId, batchStart: 0, batchCount: count, expectedOffset: 0, values, failures, inputFailures: null, "test");
        Assert.Empty(failures);
        Assert.Equal(count, chunk.Count);
        return chunk;
    }

    // The host encodes the batch; the worker's executor runs it on this thread, as its executor thread would; the Results
    // payloads come back.
    private static (List<byte[]> Payloads, BatchCodec<TIn, TOut> Codec) Run<TWork, TIn, TOut>(TIn[] items)
        where TWork : new()
    {
        var codec = new BatchCodec<TIn, TOut>(ProcessWork.ForWorkerHost(typeof(TWork)));
        var (_, output, _) = WorkerResults.RunBatch<TWork, TIn, TOut>(codec, items, BatchId);
        return (WorkerResults.Payloads(output.ToArray()), codec);
    }
}

/// <summary>A little arithmetic per item (CPU-bound).</summary>
public sealed class Spin : IWork<int, int>
{
    /// <inheritdoc/>
    public int Execute(int input)
    {
        var x = input;
        for (var i = 0; i < 100_000; i++)
        {
            x = (x * 31) + i;
        }

        return x;
    }
}

/// <summary>The same, asynchronous.</summary>
public sealed class SpinAsync : IAsyncWork<int, int>
{
    /// <inheritdoc/>
    public async ValueTask<int> ExecuteAsync(int input, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return new Spin().Execute(input);
    }
}
