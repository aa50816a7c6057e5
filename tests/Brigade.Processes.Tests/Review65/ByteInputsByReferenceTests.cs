using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Tests.Review65;

/// <summary>
/// Review 65: the host copied each large <c>byte[]</c> input into a Batch frame regrown from 4 KiB by doubling and let go
/// after the batch (20 inputs of 10 MB on 2 workers: 310-430 MB allocated and 1.5-1.8 s of the host's CPU). The frame now
/// refers to the input and is written to the pipe from the input's own array: 0 MB and 0.47-0.50 s.
/// </summary>
public sealed class ByteInputsByReferenceTests
{
    [Fact]
    public void ALargeByteArrayInput_IsWrittenFromItsOwnArray_AndTheFrameIsWhole()
    {
        var large = RawBytesPattern(1024 * 1024);
        using var codec = new BatchCodec<byte[]?, byte[]?>(ProcessWork.ForWorkerHost(typeof(Review64Frames.ReverseBytes)));
        var frame = codec.EncodeBatch(7, 1, 0, new byte[]?[] { [1, 2], large, null }, out var failures);
        Assert.Null(failures);

        // Nothing the input's size was copied into the frame's buffer.
        Assert.InRange(frame.Capacity, 0, large.Length / 2);

        var sink = new SpanSink(large);
        frame.WriteTo(sink);
        Assert.True(sink.WroteFromInput);

        // The bytes on the wire: one frame whose length counts the input, with it in its place.
        var bytes = sink.Written.ToArray();
        Assert.Equal(bytes.Length - 4, BitConverter.ToInt32(bytes));
        Assert.Equal(bytes, frame.ToArray());
        Assert.True(bytes.AsSpan().IndexOf(large) > WireFormat.HeaderLength);
    }

    private static byte[] RawBytesPattern(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * 13) + 5);
        }

        return bytes;
    }

    /// <summary>A pipe that keeps what was written and whether a write came straight from the input's array.</summary>
    private sealed class SpanSink(byte[] input) : Stream
    {
        public MemoryStream Written { get; } = new();

        public bool WroteFromInput { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written.Length;

        public override long Position { get => Written.Position; set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!buffer.IsEmpty)
            {
                var offset = Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(input), ref MemoryMarshal.GetReference(buffer));
                WroteFromInput |= offset >= 0 && offset + buffer.Length <= input.Length;
            }

            Written.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
