using Brigade.Processes.Protocol;

namespace Brigade.Processes.Tests;

public sealed class ProtocolTests
{
    private static FrameReader Reader(params byte[] bytes) => new(new MemoryStream(bytes), "test");

    [Fact]
    public void CleanEndBetweenFrames_IsNotAnError()
    {
        Assert.False(Reader().TryRead(out _, out _));
    }

    [Fact]
    public void WellFormedFrames_AreRead()
    {
        var frame = new FrameBuffer();
        frame.BeginFrame(MessageType.Cancel);
        frame.WriteInt32(42);
        frame.EndFrame();
        frame.BeginFrame(MessageType.Release);
        frame.WriteInt32(7);
        frame.EndFrame();
        var reader = Reader(frame.WrittenSpan.ToArray());

        Assert.True(reader.TryRead(out var type, out var payload));
        Assert.Equal(MessageType.Cancel, type);
        Assert.Equal(42, new PayloadReader(payload.Span).ReadInt32());
        Assert.True(reader.TryRead(out type, out payload));
        Assert.Equal(MessageType.Release, type);
        Assert.Equal(7, new PayloadReader(payload.Span).ReadInt32());
        Assert.False(reader.TryRead(out _, out _));
    }

    [Fact]
    public void FrameBuffer_KeepsEveryFieldWhileItGrows()
    {
        var frame = new FrameBuffer(initialCapacity: 8);
        frame.BeginFrame(MessageType.Release);
        for (var i = 0; i < 1_000; i++)
        {
            frame.WriteByte((byte)i);
            frame.WriteInt32(i);
            frame.WriteInt64(-i);
            frame.WriteBytes([1, 2, 3]);
            frame.WriteString("é" + i);
        }

        frame.EndFrame();
        Assert.True(Reader(frame.WrittenSpan.ToArray()).TryRead(out _, out var payload));
        var reader = new PayloadReader(payload.Span);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.Equal((byte)i, reader.ReadByte());
            Assert.Equal(i, reader.ReadInt32());
            Assert.Equal(-i, reader.ReadInt64());
            Assert.Equal([1, 2, 3], reader.ReadBytes(3).ToArray());
            Assert.Equal("é" + i, reader.ReadString());
        }

        Assert.Equal(0, reader.Remaining);
    }

    [Theory]
    [InlineData(new byte[] { 5, 0 }, "Truncated")]                               // header cut short
    [InlineData(new byte[] { 9, 0, 0, 0, 4, 1, 2 }, "Truncated")]                // payload cut short
    [InlineData(new byte[] { 0, 0, 0, 0, 4 }, "Malformed")]                      // zero length
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 4 }, "Malformed")]          // negative length
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 4 }, "Malformed")]          // beyond the limit: no allocation, no wait
    [InlineData(new byte[] { 1, 0, 0, 0, 99 }, "unknown message type 99")]       // unknown type
    public void MalformedOrTruncatedFrames_AreProtocolErrors(byte[] bytes, string expected)
    {
        var error = Assert.Throws<ProtocolException>(() => Reader(bytes).TryRead(out _, out _));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FieldPastThePayload_IsAProtocolError()
    {
        var error = Assert.Throws<ProtocolException>(() => new PayloadReader([1, 2]).ReadInt32());
        Assert.Contains("runs past the payload", error.Message, StringComparison.Ordinal);
    }

    // The bug is a hang (a frame that never completes, a check that never comes): the test's timeout is the check, far
    // past a worker's start-up at load 60 (55 s seen). A 30 s bound on the whole run, start-up included, could fail
    // without the bug, and so could the engine's 30 s StartTimeout (the worker killed: WorkerStartException): 120 s here.
    [Theory(Timeout = 240_000)]
    [InlineData("bad-frame", "unknown message type 200")]
    [InlineData("oversized-frame", "outside 1..")]
    [InlineData("truncated-frame", "Truncated frame")]
    [InlineData("version", "speaks protocol version 999")]
    [InlineData("bad-magic", "is not a Brigade worker")]
    public async Task MisbehavingWorker_FailsTheRunWithAProtocolError_NotAHang(string fault, string expected)
    {
        await using var engine = TestEngines.Create(o =>
        {
            o.EnvironmentVariables[WireFormat.FaultVariable] = fault;
            o.StartTimeout = TimeSpan.FromSeconds(120);
        });

        var error = Assert.IsType<ProtocolException>((await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), new Square(), TestEngines.Run(engine)))).InnerException);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
