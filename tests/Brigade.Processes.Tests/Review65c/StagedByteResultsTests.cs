using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;
using Brigade.Processes.Tests.Review65;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Review65c;

/// <summary>
/// Review 65c: a large <c>byte[]</c> result sent to the pipe straight from the work's array cost the worker more CPU than
/// copying it into the values' buffer (20 × 10 MB results: 56-76 against 42-44 ms per result), all of it the kernel's copy
/// into the pipe from pages the process had just faulted in. It now goes through the channel's small kept buffer, a piece
/// at a time (25-29 ms per result), and so by reference is on by default: no buffer the size of the result is kept.
/// </summary>
public sealed class StagedByteResultsTests
{
    private const long BatchId = 9;

    [Fact]
    public void ALargeByteArrayResult_GoesThroughOneKeptStagingBuffer_InPieces_ByDefault()
    {
        // Item 1 twice: 1 MiB each, from the work's own array.
        var (writes, values, retained) = Run<SharedBytes, int, byte[]>([1, 2, 1]);

        Assert.Equal(SharedBytes.Large, values[0]);
        Assert.Equal(new byte[] { 1, 2, 3 }, values[1]);
        Assert.Equal(SharedBytes.Large, values[2]);

        // No write carries the whole result (neither from the work's array nor from a values' buffer it was copied into),
        // and every large piece came from one and the same buffer, kept between results (its pages stay warm).
        Assert.All(writes, w => Assert.InRange(w.Length, 0, WorkerChannel.StageBytes));
        var staged = writes.Where(w => w.Length > WorkerChannel.StageBytes / 4).ToList();
        Assert.Equal(2 * SharedBytes.Large.Length, staged.Sum(w => w.Length));
        var stage = Assert.Single(staged.Select(w => w.Array).Distinct());
        Assert.NotNull(stage);
        Assert.NotSame(SharedBytes.Large, stage);
        Assert.Equal(WorkerChannel.StageBytes, stage!.Length);

        // Nothing the size of the result is kept for the next chunks.
        Assert.InRange(retained, 0, SharedBytes.Large.Length / 2);
    }

    [Fact]
    public void ALargeMemoryResult_GoesThroughTheStagingBuffer_AndArrivesWhole()
    {
        var (writes, values, _) = Run<SharedMemory, int, ReadOnlyMemory<byte>>([3, 1, 3]);

        Assert.All(writes, w => Assert.InRange(w.Length, 0, WorkerChannel.StageBytes));
        Assert.Equal(SharedBytes.Large.AsSpan(100).ToArray(), values[0].ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, values[1].ToArray());
        Assert.Equal(SharedBytes.Large.AsSpan(100).ToArray(), values[2].ToArray());
    }

    [Fact]
    public void ByReference_IsOnByDefault()
    {
        using var executor = new BatchExecutor(WorkDescriptor.For(typeof(SharedBytes)));
        Assert.True(executor.ReferencesLargeResults);
    }

    private static (List<(int Length, byte[]? Array)> Writes, TOut[] Values, long Retained) Run<TWork, TIn, TOut>(TIn[] items)
        where TWork : new()
    {
        var descriptor = WorkDescriptor.For(typeof(TWork));
        using var codec = new BatchCodec<TIn, TOut>(ProcessWork.ForWorkerHost(typeof(TWork)));
        var batch = codec.EncodeBatch(7, BatchId, 0, items, out _).ToArray();

        var output = new RecordingStream();
        var context = new BatchContext(new WorkerChannel(output), long.MaxValue, reportMemory: false, _ => false, () => CancellationToken.None);
        long retained;
        using (var executor = new BatchExecutor(descriptor))
        {
            var reader = new PayloadReader(batch.AsSpan(WireFormat.HeaderLength, BitConverter.ToInt32(batch) - 1));
            reader.ReadInt32();
            reader.ReadInt64();
            reader.ReadByte();
            var count = reader.ReadInt32();
            executor.Run(BatchId, 0, count, ref reader, context);
            retained = executor.RetainedBufferBytes;
        }

        var frames = output.ToArray();
        var values = new TOut[items.Length];
        var failures = new List<ItemFailure>();
        var offset = 0;
        for (var at = 0; at < frames.Length; at += 4 + BitConverter.ToInt32(frames, at))
        {
            var payload = frames.AsSpan(at + WireFormat.HeaderLength, BitConverter.ToInt32(frames, at) - 1);
            offset += codec.DecodeResults(payload, BatchId, batchStart: 0, batchCount: items.Length, expectedOffset: offset, values, failures, inputFailures: null, "test").Count;
        }

        Assert.Empty(failures);
        Assert.Equal(items.Length, offset);
        return (output.Writes, values, retained);
    }

    /// <summary>A pipe that keeps what was written and, for a write from an array, which array.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _written = new();

        public List<(int Length, byte[]? Array)> Writes { get; } = [];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written.Length;

        public override long Position { get => _written.Position; set => throw new NotSupportedException(); }

        public byte[] ToArray() => _written.ToArray();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes.Add((buffer.Length, null));
            _written.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes.Add((count, buffer));
            _written.Write(buffer, offset, count);
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
