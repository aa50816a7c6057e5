using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Review65;

/// <summary>
/// Review 65: a worker copied a large <c>byte[]</c> or <c>ReadOnlyMemory&lt;byte&gt;</c> result into its values' buffer before
/// writing it to the pipe (a 10 MB copy per result, and a buffer of that size kept while large results kept coming). The
/// result goes to the pipe from its own memory (<c>BatchExecutor.ReferencesLargeResults</c>), through the channel's small kept
/// staging buffer since review 65c (Review65c/StagedByteResultsTests); smaller ones (under 64 KiB) still ride in the frame.
/// </summary>
public sealed class ByteResultsByReferenceTests
{
    private const long BatchId = 9;

    [Fact]
    public void ALargeByteArrayResult_IsWrittenFromItsOwnArray_AndArrivesWhole()
    {
        var (writes, values, retained) = Run<SharedBytes, int, byte[]>([1, 2]);

        Assert.DoesNotContain(writes, w => w.Length > WorkerChannel.StageBytes);
        Assert.Equal(SharedBytes.Large, values[0]);
        Assert.Equal(new byte[] { 1, 2, 3 }, values[1]);

        // Nothing the size of the result is kept for the next chunks.
        Assert.InRange(retained, 0, SharedBytes.Large.Length / 2);
    }

    [Fact]
    public void ALargeMemoryResult_IsWrittenFromItsOwnMemory_AndArrivesWhole()
    {
        var (writes, values, _) = Run<SharedMemory, int, ReadOnlyMemory<byte>>([3, 1, 3]);

        Assert.DoesNotContain(writes, w => w.Length > WorkerChannel.StageBytes);
        Assert.Equal(SharedBytes.Large.AsSpan(100).ToArray(), values[0].ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, values[1].ToArray());
        Assert.Equal(SharedBytes.Large.AsSpan(100).ToArray(), values[2].ToArray());
    }

    private static (List<(int Length, bool FromShared)> Writes, TOut[] Values, long Retained) Run<TWork, TIn, TOut>(TIn[] items)
        where TWork : new()
    {
        var descriptor = WorkDescriptor.For(typeof(TWork));
        using var codec = new BatchCodec<TIn, TOut>(ProcessWork.ForWorkerHost(typeof(TWork)));
        var batch = codec.EncodeBatch(7, BatchId, 0, items, out _).ToArray();

        var output = new RecordingStream();
        var context = new BatchContext(new WorkerChannel(output), long.MaxValue, reportMemory: false, _ => false, () => CancellationToken.None);
        long retained;
        using (var executor = new BatchExecutor(descriptor) { ReferencesLargeResults = true })
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

    /// <summary>A pipe that keeps what was written and whether a write came straight from <see cref="SharedBytes.Large"/>.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _written = new();

        public List<(int Length, bool FromShared)> Writes { get; } = [];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written.Length;

        public override long Position { get => _written.Position; set => throw new NotSupportedException(); }

        public byte[] ToArray() => _written.ToArray();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes.Add((buffer.Length, IsInShared(buffer)));
            _written.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private static bool IsInShared(ReadOnlySpan<byte> span)
        {
            if (span.IsEmpty)
            {
                return false;
            }

            ref var start = ref MemoryMarshal.GetArrayDataReference(SharedBytes.Large);
            ref var first = ref MemoryMarshal.GetReference(span);
            var offset = Unsafe.ByteOffset(ref start, ref first);
            return offset >= 0 && offset + span.Length <= SharedBytes.Large.Length;
        }
    }
}

/// <summary>Item 1: a 1 MB array held by the work (the same array every time); otherwise three bytes.</summary>
public sealed class SharedBytes : IWork<int, byte[]>
{
    internal static readonly byte[] Large = RawBytesPattern(1024 * 1024);

    /// <inheritdoc/>
    public byte[] Execute(int input) => input == 1 ? Large : [1, 2, 3];

    private static byte[] RawBytesPattern(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * 7) + 1);
        }

        return bytes;
    }
}

/// <summary>Item 3: most of <see cref="SharedBytes.Large"/>, as memory; otherwise three bytes.</summary>
public sealed class SharedMemory : IWork<int, ReadOnlyMemory<byte>>
{
    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Execute(int input) => input == 3 ? SharedBytes.Large.AsMemory(100) : new byte[] { 1, 2, 3 };
}
