using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Review57;

/// <summary>
/// A worker that let go of a large result's buffers asks to give the memory back (one collection when idle), and only
/// then (lib57: an idle worker stayed at 1.5 GB resident after a 300 MB result, since it allocated nothing that would
/// run a collection). Six megabytes over a 4 MiB threshold stand for hundreds over 64 MiB.
/// </summary>
public sealed class GiveBackMemoryTests
{
    private const int Large = 6 * 1024 * 1024;

    [Fact]
    public void Worker_AfterALargeResult_AsksOnceToGiveMemoryBack()
    {
        using var executor = new BatchExecutor(WorkDescriptor.For(typeof(Repeat))) { LargeBufferBytes = 4 * 1024 * 1024 };

        Run(executor, [5, Large, 6]);

        Assert.True(executor.TakeLargeRelease());
        Assert.False(executor.TakeLargeRelease());
    }

    [Fact]
    public void Worker_AfterOrdinaryResults_DoesNotAsk()
    {
        using var executor = new BatchExecutor(WorkDescriptor.For(typeof(Repeat))) { LargeBufferBytes = 4 * 1024 * 1024 };

        Run(executor, [5, 100_000, 6]);

        Assert.False(executor.TakeLargeRelease());
    }

    private static void Run(BatchExecutor executor, int[] inputs)
    {
        using var codec = new BatchCodec<int, string>(ProcessWork.ForWorkerHost(typeof(Repeat)));
        var batch = codec.EncodeBatch(workId: 7, batchId: 3, flags: 0, inputs, out _).WrittenSpan.ToArray();
        var output = new MemoryStream();
        var context = new BatchContext(new WorkerChannel(output), flushIntervalTicks: long.MaxValue, reportMemory: false, _ => false, () => CancellationToken.None);
        var reader = new PayloadReader(batch.AsSpan(WireFormat.HeaderLength, BitConverter.ToInt32(batch) - 1));
        reader.ReadInt32();
        reader.ReadInt64();
        reader.ReadByte();
        var count = reader.ReadInt32();

        executor.Run(3, 0, count, ref reader, context);

        Assert.True(output.Length > inputs.Max(), "the results were sent");
    }

    /// <summary>A string of the input's length.</summary>
    public sealed class Repeat : IWork<int, string>
    {
        /// <inheritdoc/>
        public string Execute(int input) => new('x', input);
    }
}
