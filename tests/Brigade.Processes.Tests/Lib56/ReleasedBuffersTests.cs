using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Lib56;

/// <summary>
/// Buffers grown for one large result are let go once it is sent or read (lib56: a worker that returned a 300 MB result
/// kept its grown result and frame buffers until its next chunk, for an idle pooled worker until its next run, 1.5 GB of
/// resident memory after the run; the host's frame reader kept a buffer as large as the largest frame for the channel's
/// life). Six megabytes stand for hundreds here: over the 4 MiB a buffer may keep.
/// </summary>
public sealed class ReleasedBuffersTests
{
    private const int Large = 6 * 1024 * 1024;

    [Fact]
    public void Worker_AfterSendingALargeResult_KeepsNoLargeBuffer()
    {
        using var codec = new BatchCodec<int, string>(ProcessWork.ForWorkerHost(typeof(Repeat)));
        var batch = codec.EncodeBatch(workId: 7, batchId: 3, flags: 0, new[] { 5, Large, 6 }, out _).WrittenSpan.ToArray();
        var output = new MemoryStream();
        var context = new BatchContext(new WorkerChannel(output), flushIntervalTicks: long.MaxValue, reportMemory: false, _ => false, () => CancellationToken.None);
        using var executor = new BatchExecutor(WorkDescriptor.For(typeof(Repeat)));
        var reader = new PayloadReader(batch.AsSpan(WireFormat.HeaderLength, BitConverter.ToInt32(batch) - 1));
        reader.ReadInt32();
        reader.ReadInt64();
        reader.ReadByte();
        var count = reader.ReadInt32();

        executor.Run(3, 0, count, ref reader, context);

        Assert.True(output.Length > Large, "the result was sent");

        // Since review 63 the values' buffer is kept for the run's next large results and let go when the worker is idle.
        executor.ReleaseIdle();
        Assert.InRange(executor.RetainedBufferBytes, 0, 1024 * 1024);
    }

    [Fact]
    public void Host_AfterReadingALargeFrame_KeepsNoLargeBuffer()
    {
        var stream = new MemoryStream();
        var frame = new FrameBuffer();
        foreach (var size in new[] { Large, 10 })
        {
            frame.Clear();
            frame.BeginFrame(MessageType.Results);
            frame.WriteBytes(new byte[size]);
            frame.EndFrame();
            frame.WriteTo(stream);
        }

        stream.Position = 0;
        var frames = new FrameReader(stream, "test");
        Assert.Equal(Large, frames.Read().Payload.Length);
        Assert.Equal(10, frames.Read().Payload.Length);

        // Since review 63 the buffer is kept for the run's next large frames and let go at the run's end.
        frames.Trim();
        Assert.InRange(frames.Capacity, 0, 1024 * 1024);
        Assert.False(frames.TryRead(out _, out _));
    }

    /// <summary>A string of the input's length.</summary>
    public sealed class Repeat : IWork<int, string>
    {
        /// <inheritdoc/>
        public string Execute(int input) => new('x', input);
    }
}
