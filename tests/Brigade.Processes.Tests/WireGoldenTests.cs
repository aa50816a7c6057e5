using System.Text.Json.Serialization;
using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests;

/// <summary>
/// The host-worker wire, byte for byte: what the host writes for a batch (raw numbers, records, strings, an input that
/// cannot be serialized) and what the worker writes back (results, failures with inner exceptions, a chunk per item).
/// The bytes were taken from the codec before it moved to the shared remote kit; any change here is a protocol change
/// and needs a new <see cref="WireFormat.Version"/> (version 8, review 66: strings as UTF-8, value encoding 4, in
/// "strings", "failures" and "failures-each-item").
/// </summary>
public sealed class WireGoldenTests
{
    private const int WorkId = 7;
    private const long BatchId = 3;

    public static TheoryData<string> Cases => ["ints", "records", "strings", "unserializable-input", "failures", "failures-each-item", "bytes", "memory"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void BatchAndResultsFrames_AreByteIdentical(string name)
    {
        var (batch, results) = name switch
        {
            "ints" => RoundTrip<Doubler, int, int>([1, -2, int.MaxValue, 0], flags: 0),
            "records" => RoundTrip<Relabel, GoldenRecord, GoldenRecord>([new(1, "a", 0.5), new(2, "é \"q\" <b>", double.NaN), new(3, null, -0.0)], flags: 0),
            "strings" => RoundTrip<Shout, string, string>(["x", "", "ü\u2028\n", "plain"], flags: 0),
            "unserializable-input" => RoundTrip<Checked, GoldenMaybe, int>([new(1), new(-1), new(5)], flags: 0),
            "failures" => RoundTrip<FailOdd, int, string>([0, 1, 2, 3, 4], flags: 0),
            "failures-each-item" => RoundTrip<FailOdd, int, string>([10, 11, 12], flags: WireFormat.BatchFlushEachItem),
            "bytes" => RoundTrip<Review64Frames.ReverseBytes, byte[]?, byte[]?>([null, [], [1, 2, 3]], flags: 0),
            "memory" => RoundTrip<Review64Frames.ReverseMemory, ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>([default, new byte[] { 4, 5 }], flags: 0),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        Assert.Equal(Golden.Batch[name], Convert.ToHexString(batch));
        Assert.Equal(Golden.Results[name], Convert.ToHexString(results));
    }

    [Fact]
    public void GoldenResults_DecodeToTheValuesAndFailures()
    {
        using var codec = new BatchCodec<int, string>(ProcessWork.ForWorkerHost(typeof(FailOdd)));
        var payload = FirstPayload(Convert.FromHexString(Golden.Results["failures"]));
        var values = new string[5];
        var failures = new List<ItemFailure>();
        var chunk = codec.DecodeResults(payload, BatchId, batchStart: 100, batchCount: 5, expectedOffset: 0, values, failures, inputFailures: null, "test");

        Assert.True(chunk.Final);
        Assert.Equal(new[] { "0", null, "2", null, "4" }, values);
        Assert.Equal([101L, 103L], failures.Select(f => f.Index));
        var remote = Assert.IsType<RemoteWorkException>(failures[0].Exception);
        Assert.Equal(typeof(NoStackException).FullName, remote.RemoteType);
        Assert.Equal("odd 1", remote.Message);
        Assert.Equal("inner 1", Assert.IsType<RemoteWorkException>(remote.InnerException).Message);
    }

    // Host encodes the batch; the worker's executor reads exactly those bytes, runs them, and writes its Results frames.
    private static (byte[] Batch, byte[] Results) RoundTrip<TWork, TIn, TOut>(TIn[] items, byte flags)
        where TWork : IWork<TIn, TOut>, new()
    {
        var descriptor = WorkDescriptor.For(typeof(TWork));
        using var codec = new BatchCodec<TIn, TOut>(ProcessWork.ForWorkerHost(typeof(TWork)));
        var batch = codec.EncodeBatch(WorkId, BatchId, flags, items, out _).WrittenSpan.ToArray();

        var output = new MemoryStream();
        var context = new BatchContext(new WorkerChannel(output), long.MaxValue, reportMemory: false, _ => false, () => CancellationToken.None);
        using var executor = new BatchExecutor(descriptor);
        var reader = new PayloadReader(FirstPayload(batch));
        Assert.Equal(WorkId, reader.ReadInt32());
        Assert.Equal(BatchId, reader.ReadInt64());
        Assert.Equal(flags, reader.ReadByte());
        var count = reader.ReadInt32();
        executor.Run(BatchId, flags, count, ref reader, context);
        return (batch, MaskClocks(output.ToArray()));
    }

    private static ReadOnlySpan<byte> FirstPayload(byte[] frame) => frame.AsSpan(WireFormat.HeaderLength, BitConverter.ToInt32(frame) - 1);

    // A Results frame's elapsed and CPU ticks and its run-queue wait (after batch id, offset, count and flags) are the only
    // fields that vary.
    private static byte[] MaskClocks(byte[] frames)
    {
        for (var at = 0; at < frames.Length; at += 4 + BitConverter.ToInt32(frames, at))
        {
            Assert.Equal((byte)MessageType.Results, frames[at + 4]);
            frames.AsSpan(at + WireFormat.HeaderLength + 17, 24).Clear();
        }

        return frames;
    }

    private static class Golden
    {
        public static readonly Dictionary<string, string> Batch = new()
        {
            ["ints"] =
                "27000000030700000003000000000000000004000000021000000001000000FEFFFFFFFFFFFF7F00000000",
            ["records"] =
                "9E00000003070000000300000000000000000300000000870000005B7B224964223A312C224E616D65223A2261222C22576569676874223A" +
                "302E357D2C7B224964223A322C224E616D65223A225C7530304539205C7530303232715C7530303232205C7530303343625C753030334522" +
                "2C22576569676874223A224E614E227D2C7B224964223A332C224E616D65223A6E756C6C2C22576569676874223A2D307D5D",
            ["strings"] =
                "2F0000000307000000030000000000000000040000000401000000780000000006000000C3BCE280A80A05000000706C61696E",
            ["unserializable-input"] =
                "4D00000003070000000300000000000000000300000001170000007B2256616C7565223A312C22436865636B6564223A317D000000001700" +
                "00007B2256616C7565223A352C22436865636B6564223A357D",
            ["failures"] =
                "2B00000003070000000300000000000000000500000002140000000000000001000000020000000300000004000000",
            ["failures-each-item"] =
                "23000000030700000003000000000000000103000000020C0000000A0000000B0000000C000000",
            ["bytes"] =
                "2200000003070000000300000000000000000300000003FFFFFFFF0000000003000000010203",
            ["memory"] =
                "1D0000000307000000030000000000000000020000000300000000020000000405",
        };

        public static readonly Dictionary<string, string> Results = new()
        {
            ["ints"] =
                "4B000000430300000000000000000000000400000001000000000000000000000000000000000000000000000000FFFFFFFFFFFFFFFF0000" +
                "0000021000000002000000FCFFFFFFFEFFFFFF00000000",
            ["records"] =
                "C4000000430300000000000000000000000300000001000000000000000000000000000000000000000000000000FFFFFFFFFFFFFFFF0000" +
                "00008A0000005B7B224964223A31312C224E616D65223A2261222C22576569676874223A302E357D2C7B224964223A31322C224E616D6522" +
                "3A225C7530304539205C7530303232715C7530303232205C7530303343625C7530303345222C22576569676874223A224E614E227D2C7B22" +
                "4964223A31332C224E616D65223A6E756C6C2C22576569676874223A2D307D5D",
            ["strings"] =
                "57000000430300000000000000000000000400000001000000000000000000000000000000000000000000000000FFFFFFFFFFFFFFFF0000" +
                "000004020000005821010000002107000000C39CE280A80A2106000000504C41494E21",
            ["unserializable-input"] =
                "44010000430300000000000000000000000300000001000000000000000000000000000000000000000000000000FFFFFFFFFFFFFFFF0001" +
                "001E00000053797374656D2E494F2E496E76616C696444617461457863657074696F6E7C00000054686520696E70757420636F756C64206E" +
                "6F7420626520646573657269616C697A656420617320427269676164652E50726F6365737365732E54657374732E476F6C64656E4D617962" +
                "653A205468652076616C756520636F756C64206E6F742062652073657269616C697A6564206279207468652073656E6465722EFFFFFFFF01" +
                "1E00000053797374656D2E494F2E496E76616C696444617461457863657074696F6E300000005468652076616C756520636F756C64206E6F" +
                "742062652073657269616C697A6564206279207468652073656E6465722EFFFFFFFF0002080000000200000006000000",
            ["failures"] =
                "33010000430300000000000000000000000500000001000000000000000000000000000000000000000000000000FFFFFFFFFFFFFFFF0001" +
                "00010028000000427269676164652E50726F6365737365732E54657374732E4E6F537461636B457863657074696F6E050000006F64642031" +
                "FFFFFFFF0128000000427269676164652E50726F6365737365732E54657374732E4E6F537461636B457863657074696F6E07000000696E6E" +
                "65722031FFFFFFFF0028000000427269676164652E50726F6365737365732E54657374732E4E6F537461636B457863657074696F6E050000" +
                "006F64642033FFFFFFFF0128000000427269676164652E50726F6365737365732E54657374732E4E6F537461636B457863657074696F6E07" +
                "000000696E6E65722033FFFFFFFF0004010000003001000000320100000034",
            ["failures-each-item"] =
                "3A000000430300000000000000000000000100000000000000000000000000000000000000000000000000000000FFFFFFFFFFFFFFFF0004" +
                "020000003130AC000000430300000000000000010000000100000000000000000000000000000000000000000000000000000000FFFFFFFF" +
                "FFFFFFFF0128000000427269676164652E50726F6365737365732E54657374732E4E6F537461636B457863657074696F6E060000006F6464" +
                "203131FFFFFFFF0128000000427269676164652E50726F6365737365732E54657374732E4E6F537461636B457863657074696F6E08000000" +
                "696E6E6572203131FFFFFFFF00043A0000004303000000000000000200000001000000010000000000000000000000000000000000000000" +
                "00000000FFFFFFFFFFFFFFFF0004020000003132",
            ["bytes"] =
                "45000000430300000000000000000000000300000001000000000000000000000000000000000000000000000000FFFFFFFFFFFFFFFF0000" +
                "0003FFFFFFFF0000000003000000030201",
            ["memory"] =
                "3F000000430300000000000000000000000200000001000000000000000000000000000000000000000000000000FFFFFFFFFFFFFFFF0000" +
                "0300000000020000000504",
        };
    }
}

public sealed record GoldenRecord(int Id, string? Name, double Weight);

/// <summary>Serializes only when <see cref="Value"/> is not negative.</summary>
public sealed class GoldenMaybe(int value)
{
    [JsonConstructor]
    public GoldenMaybe()
        : this(0)
    {
    }

    public int Value { get; set; } = value;

    public int Checked
    {
        get => Value >= 0 ? Value : throw new InvalidOperationException("negative");
        set => Value = value;
    }
}

/// <summary>An exception with no stack trace, so its bytes on the wire do not depend on where it was thrown.</summary>
public sealed class NoStackException(string message, Exception? inner = null) : Exception(message, inner)
{
    public override string? StackTrace => null;
}

public sealed class Doubler : IWork<int, int>
{
    public int Execute(int input) => input * 2;
}

public sealed class Relabel : IWork<GoldenRecord, GoldenRecord>
{
    public GoldenRecord Execute(GoldenRecord input) => input with { Id = input.Id + 10 };
}

public sealed class Shout : IWork<string, string>
{
    public string Execute(string input) => input.ToUpperInvariant() + "!";
}

public sealed class Checked : IWork<GoldenMaybe, int>
{
    public int Execute(GoldenMaybe input) => input.Value + 1;
}

public sealed class FailOdd : IWork<int, string>
{
    public string Execute(int input) =>
        input % 2 == 0 ? input.ToString(System.Globalization.CultureInfo.InvariantCulture) : throw new NoStackException($"odd {input}", new NoStackException($"inner {input}"));
}
