using Brigade.Engines.Remote;
using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Tests.Review64Frames;

/// <summary>
/// frames64: a <c>byte[]</c> or <c>ReadOnlyMemory&lt;byte&gt;</c> crossed to a worker as base64 JSON, a third larger and encoded
/// and decoded on both sides (lib64: 20 results of 10 MB, 1.31 s of the parent's CPU and 257 MB allocated). Between
/// processes of one machine they now travel as their length and bytes (value encoding 3); the cluster (allowRaw: false)
/// and a byte array inside a record still travel as JSON.
/// </summary>
public sealed class RawBytesTests
{
    public static TheoryData<int> Sizes => [0, 1, 3, 70 * 1024, (4 * 1024 * 1024) + 17];

    [Fact]
    public void ByteArrays_RoundTripThroughHostAndWorkerCodecs_AsRawBytes()
    {
        byte[]?[] inputs = [null, [], [1, 2, 3], Pattern(70 * 1024, 5), Pattern((4 * 1024 * 1024) + 17, 9)];
        var (batch, values) = RoundTrip<ReverseBytes, byte[]?, byte[]?>(inputs);

        Assert.Equal(RemoteValueCodec<byte[]>.RawBytes, batch[WireFormat.HeaderLength + 4 + 8 + 1 + 4]);
        Assert.Null(values[0]);
        Assert.Empty(values[1]!);
        for (var i = 2; i < inputs.Length; i++)
        {
            Assert.Equal(inputs[i]!.Reverse().ToArray(), values[i]);
        }
    }

    [Fact]
    public void ByteArrayResults_HeldAsObject_ReadFromRawBytes()
    {
        // IWork<byte[], byte[]> is an IWork<byte[], object> (C# variance): the worker writes byte[] results as raw bytes,
        // and the host, holding them as object, reads them as the arrays they are.
        byte[]?[] inputs = [null, [1, 2, 3], Pattern(70 * 1024, 5)];
        var (_, values) = RoundTrip<ReverseBytes, byte[]?, object?>(inputs);

        Assert.Null(values[0]);
        Assert.Equal(new byte[] { 3, 2, 1 }, Assert.IsType<byte[]>(values[1]));
        Assert.Equal(inputs[2]!.Reverse().ToArray(), Assert.IsType<byte[]>(values[2]));
    }

    [Fact]
    public void ReadOnlyMemories_RoundTripThroughHostAndWorkerCodecs_AsRawBytes()
    {
        ReadOnlyMemory<byte>[] inputs = [default, Array.Empty<byte>(), new byte[] { 7 }, Pattern(70 * 1024, 3).AsMemory(100), Pattern((4 * 1024 * 1024) + 1, 1)];
        var (batch, values) = RoundTrip<ReverseMemory, ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>(inputs);

        Assert.Equal(RemoteValueCodec<ReadOnlyMemory<byte>>.RawBytes, batch[WireFormat.HeaderLength + 4 + 8 + 1 + 4]);
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(inputs[i].ToArray().Reverse().ToArray(), values[i].ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RawCodec_WritesLengthAndBytes_AndReadsThemBack(int size)
    {
        var descriptor = WorkDescriptor.For(typeof(ReverseBytes));
        using var codec = new RemoteValueCodec<byte[]?>(typeof(byte[]), () => descriptor.InputTypeInfo, allowRaw: true);
        var buffer = new RemoteValueBuffer();
        var value = Pattern(size, 11);

        Assert.Null(codec.Write(buffer, [value, null], 2));
        Assert.Equal(1 + 4 + size + 4, buffer.Length);
        var values = new byte[]?[2];
        Assert.Equal(buffer.Length, codec.Read(buffer.WrittenSpan, 2, values, new Exception?[2]));
        Assert.Equal(value, values[0]);
        Assert.Null(values[1]);
    }

    [Fact]
    public void RawBytes_ThatRunPastThePayload_AreAFormatError()
    {
        var descriptor = WorkDescriptor.For(typeof(ReverseBytes));
        using var codec = new RemoteValueCodec<byte[]?>(typeof(byte[]), () => descriptor.InputTypeInfo, allowRaw: true);
        byte[] bytes = [RemoteValueCodec<byte[]>.RawBytes, 10, 0, 0, 0, 1, 2];

        Assert.Throws<RemoteFormatException>(() => codec.Read(bytes, 1, new byte[]?[1], new Exception?[1]));
        byte[] negative = [RemoteValueCodec<byte[]>.RawBytes, 0xFE, 0xFF, 0xFF, 0xFF];
        Assert.Throws<RemoteFormatException>(() => codec.Read(negative, 1, new byte[]?[1], new Exception?[1]));
    }

    [Fact]
    public void Cluster_WithoutRaw_StillSendsByteArraysAsJson()
    {
        // The cluster's codecs (Brigade.Orleans BatchCodec, WorkerGrain) are built with allowRaw: false.
        var descriptor = WorkDescriptor.For(typeof(ReverseBytes));
        using var codec = new RemoteValueCodec<byte[]?>(descriptor.InputTypeInfo, allowRaw: false);
        using var lazy = new RemoteValueCodec<byte[]?>(typeof(byte[]), () => descriptor.InputTypeInfo, allowRaw: false);
        foreach (var c in new[] { codec, lazy })
        {
            var buffer = new RemoteValueBuffer();
            Assert.Null(c.Write(buffer, [[1, 2], null], 2));
            Assert.Equal(RemoteValueCodec<byte[]>.AsArray, buffer.WrittenSpan[0]);
            Assert.Contains("\"AQI=\"", System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
            var values = new byte[]?[2];
            c.Read(buffer.WrittenSpan, 2, values, new Exception?[2]);
            Assert.Equal([1, 2], values[0]);
            Assert.Null(values[1]);
        }
    }

    [Fact]
    public void ByteArrayInsideARecord_StillTravelsAsJson()
    {
        var (batch, values) = RoundTrip<EchoBlob, Blob, Blob>([new("a", [1, 2, 3]), new("b", null)]);

        Assert.Equal(RemoteValueCodec<Blob>.AsArray, batch[WireFormat.HeaderLength + 4 + 8 + 1 + 4]);
        Assert.Equal("a!", values[0].Name);
        Assert.Equal([1, 2, 3], values[0].Data);
        Assert.Null(values[1].Data);
    }

    [Fact(Timeout = 180_000)]
    public async Task ByteArrays_RoundTripThroughAWorkerProcess()
    {
        await using var engine = TestEngines.Create(o => o.MaxWorkers = 1);
        byte[]?[] inputs = [null, [], [1, 2, 3], Pattern(70 * 1024, 5), Pattern((4 * 1024 * 1024) + 17, 9)];
        var result = await Runner.MapAsync(inputs, new ReverseBytes(), new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1, BatchSize = 5 })
            .WaitAsync(TimeSpan.FromSeconds(150));

        Assert.Empty(result.Failures);
        var values = result.Values.ToArray();
        Assert.Null(values[0]);
        Assert.Empty(values[1]!);
        for (var i = 2; i < inputs.Length; i++)
        {
            Assert.Equal(inputs[i]!.Reverse().ToArray(), values[i]);
        }
    }

    internal static byte[] Pattern(int size, int seed)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * 31) + seed);
        }

        return bytes;
    }

    // The host encodes the batch; the worker's executor runs exactly those bytes; the host decodes the worker's Results.
    private static (byte[] Batch, TOut[] Values) RoundTrip<TWork, TIn, TOut>(TIn[] items)
        where TWork : IWork<TIn, TOut>, new()
    {
        const long batchId = 1;
        using var codec = new BatchCodec<TIn, TOut>(ProcessWork.ForWorkerHost(typeof(TWork)));
        var (batch, output, _) = Review65.WorkerResults.RunBatch<TWork, TIn, TOut>(codec, items, batchId);
        return (batch, Review65.WorkerResults.Decode(codec, output.ToArray(), batchId, items.Length));
    }
}

/// <summary>Reverses its input's bytes; null stays null.</summary>
public sealed class ReverseBytes : IWork<byte[]?, byte[]?>
{
    /// <inheritdoc/>
    public byte[]? Execute(byte[]? input) => input?.Reverse().ToArray();
}

/// <summary>Reverses its input's bytes.</summary>
public sealed class ReverseMemory : IWork<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>
{
    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Execute(ReadOnlyMemory<byte> input) => input.ToArray().Reverse().ToArray();
}

/// <summary>A record with a byte array inside: it travels as JSON (base64), as before.</summary>
public sealed record Blob(string Name, byte[]? Data);

/// <summary>Returns its input with a mark on its name.</summary>
public sealed class EchoBlob : IWork<Blob, Blob>
{
    /// <inheritdoc/>
    public Blob Execute(Blob input) => input with { Name = input.Name + "!" };
}
