using Brigade.Processes.Protocol;

namespace Brigade.Processes.Tests.Review64Lib;

/// <summary>
/// lib64: the worker's frame reader reads a frame larger than the buffer it keeps (4 MiB) into an array of its own, which
/// the executor takes without a copy; the reader's buffer does not grow for it, so nothing large stays in a worker that
/// then waits idle in a read. Frames before and after it are read as before.
/// </summary>
public sealed class OwnedLargePayloadTests
{
    private const int Large = 6 * 1024 * 1024;

    [Fact]
    public void TryReadOwned_LargeFrame_ItsOwnExactArray_BufferNotGrown()
    {
        var stream = new MemoryStream();
        var frame = new FrameBuffer();
        var large = new byte[Large];
        Random.Shared.NextBytes(large);
        foreach (var payload in new[] { new byte[] { 1, 2, 3 }, large, new byte[] { 4, 5 } })
        {
            frame.Clear();
            frame.BeginFrame(MessageType.Batch);
            frame.WriteBytes(payload);
            frame.EndFrame();
            frame.WriteTo(stream);
        }

        stream.Position = 0;
        var frames = new FrameReader(new TrickleStream(stream), "test", ownLargePayloads: true);
        var before = frames.Capacity;

        Assert.True(frames.TryReadOwned(out var type, out var first));
        Assert.Equal(MessageType.Batch, type);
        Assert.Equal(new byte[] { 1, 2, 3 }, first);

        Assert.True(frames.TryReadOwned(out _, out var second));
        Assert.Equal(large, second);
        Assert.Equal(before, frames.Capacity);

        Assert.True(frames.TryReadOwned(out _, out var third));
        Assert.Equal(new byte[] { 4, 5 }, third);
        Assert.False(frames.TryReadOwned(out _, out _));
    }

    [Fact]
    public void TryReadOwned_LargeFrameCutShort_IsAProtocolError()
    {
        var stream = new MemoryStream();
        var frame = new FrameBuffer();
        frame.BeginFrame(MessageType.Batch);
        frame.WriteBytes(new byte[Large]);
        frame.EndFrame();
        frame.WriteTo(stream);
        var cut = new MemoryStream(stream.ToArray()[..(Large / 2)]);

        var frames = new FrameReader(cut, "test", ownLargePayloads: true);
        var e = Assert.Throws<ProtocolException>(() => frames.TryReadOwned(out _, out _));
        Assert.Contains("Truncated frame from test", e.Message, StringComparison.Ordinal);
    }

    // A pipe hands over at most 64 KiB a read: the large payload is assembled from many reads.
    private sealed class TrickleStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 65536));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
