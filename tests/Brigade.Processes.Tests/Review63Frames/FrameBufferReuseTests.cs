using System.Runtime.InteropServices;
using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Review63Frames;

/// <summary>
/// Large results cost one buffer per channel for a run, not one per result (review 63: 20 results of 10 MB allocated
/// 503 MB in the host, a fresh 13 MB frame buffer each, since lib56 let the buffer go after every large frame), and the
/// buffer is still let go when the run ends (lib56: memory held after a large frame). The worker sends a large result's
/// values from the buffer they were serialized into, so the frame on the wire is the same as when they were copied.
/// Six megabytes stand for hundreds here: over the 4 MiB a reader keeps.
/// </summary>
public sealed class FrameBufferReuseTests
{
    private const int Large = 6 * 1024 * 1024;

    [Fact]
    public void Host_ReadingLargeFramesInARun_ReusesOneBuffer_AndTrimKeepsWhatIsBuffered()
    {
        var stream = new MemoryStream();
        var frame = new FrameBuffer();
        foreach (var size in new[] { Large, Large, Large - 1, 10 })
        {
            frame.Clear();
            frame.BeginFrame(MessageType.Results);
            var bytes = new byte[size];
            bytes.AsSpan().Fill((byte)size);
            frame.WriteBytes(bytes);
            frame.EndFrame();
            frame.WriteTo(stream);
        }

        stream.Position = 0;
        var frames = new FrameReader(stream, "test");
        var buffers = new List<byte[]>();
        foreach (var size in new[] { Large, Large, Large - 1 })
        {
            var payload = frames.Read().Payload;
            Assert.Equal(size, payload.Length);
            Assert.Equal((byte)size, payload.Span[^1]);
            Assert.True(MemoryMarshal.TryGetArray(payload, out var segment));
            buffers.Add(segment.Array!);
        }

        Assert.Same(buffers[0], buffers[1]);
        Assert.Same(buffers[0], buffers[2]);

        // The run's end: the large buffer goes, and a frame already read from the stream into it is kept.
        frames.Trim();
        Assert.InRange(frames.Capacity, 0, 1024 * 1024);
        var last = frames.Read().Payload;
        Assert.Equal(Enumerable.Repeat((byte)10, 10).ToArray(), last.ToArray());
        Assert.False(frames.TryRead(out _, out _));
    }

    [Fact]
    public void Worker_LargeResultSentWithoutACopy_ArrivesAsOneFrame()
    {
        // A record (JSON): a string result itself is referred to and encoded as it is written since review 66, with no
        // values' buffer of its size (Review66/StringsByReferenceTests).
        using var codec = new BatchCodec<int, Repeated>(ProcessWork.ForWorkerHost(typeof(RepeatRecord)));
        int[] inputs = [5, Large, 6];
        var batch = codec.EncodeBatch(workId: 7, batchId: 3, flags: 0, inputs, out _).WrittenSpan.ToArray();
        var output = new MemoryStream();
        var context = new BatchContext(new WorkerChannel(output), flushIntervalTicks: long.MaxValue, reportMemory: false, _ => false, () => CancellationToken.None);
        using var executor = new BatchExecutor(WorkDescriptor.For(typeof(RepeatRecord)));
        var reader = new PayloadReader(batch.AsSpan(WireFormat.HeaderLength, BitConverter.ToInt32(batch) - 1));
        reader.ReadInt32();
        reader.ReadInt64();
        reader.ReadByte();
        var count = reader.ReadInt32();

        executor.Run(3, 0, count, ref reader, context);

        output.Position = 0;
        var frames = new FrameReader(output, "the worker");
        var (type, payload) = frames.Read();
        Assert.Equal(MessageType.Results, type);
        var values = new Repeated[3];
        var failures = new List<ItemFailure>();
        var chunk = codec.DecodeResults(payload.Span, 3, 0, 3, 0, values, failures, null, "test");
        Assert.Empty(failures);
        Assert.True(chunk.Final);
        Assert.Equal(inputs, values.Select(v => v.Text.Length));
        Assert.All(values, v => Assert.DoesNotContain(v.Text, c => c != 'x'));
        Assert.False(frames.TryRead(out _, out _));

        // The values' buffer is kept for the run's next large results (frames63b: each one grew a fresh one, three bytes a
        // character for a string) until the worker is idle; the frame's is let go at once.
        Assert.InRange(executor.RetainedBufferBytes, Large, long.MaxValue);
        Assert.True(executor.ReleaseIdle());
        Assert.InRange(executor.RetainedBufferBytes, 0, 1024 * 1024);
    }

    [Fact]
    public async Task Host_AfterARunOfLargeResults_IdleWorkerHoldsNoLargeBuffer()
    {
        using var engine = TestEngines.Create(o => o.MaxWorkers = 1);

        // One item a batch: the run's last frame is a large result's, which the reader held after the run (lib56's fix let
        // go only on the next read, which an idle pooled worker does not make).
        var results = await Runner.MapAsync(new[] { Large, Large }, new Repeat(), TestEngines.Run(engine, batchSize: 1));

        Assert.All(results, r => Assert.Equal(Large, r.Value?.Length));
        var capacities = engine.Pool.IdleReaderCapacities();
        Assert.Single(capacities);
        Assert.InRange(capacities[0], 0, 1024 * 1024);
    }

    /// <summary>A string of the input's length, in a record.</summary>
    public sealed class RepeatRecord : IWork<int, Repeated>
    {
        /// <inheritdoc/>
        public Repeated Execute(int input) => new(new string('x', input));
    }

    /// <summary>A string, travelling as JSON.</summary>
    /// <param name="Text">The string.</param>
    public sealed record Repeated(string Text);

    /// <summary>A string of the input's length.</summary>
    public sealed class Repeat : IWork<int, string>
    {
        /// <inheritdoc/>
        public string Execute(int input) => new('x', input);
    }
}
