using System.Text;
using Brigade.Engines.Remote;
using Brigade.Processes.Internal;
using Brigade.Processes.Tests.Review65;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Review66;

/// <summary>
/// Review 66: a <c>string</c> input or result travelled as JSON, which the serializer wrote into the frame's buffer sized at
/// three bytes a character (six for a non-ASCII one it escapes), grown by doubling and let go per batch: 20 inputs of
/// 10 M characters cost the host 660 MB allocated and 1.9-2.4 s of CPU (ASCII), 3.1-3.4 GB and 12.5-14.8 s (mixed
/// text). Strings now travel as their UTF-8 bytes (protocol 8, value encoding 4), and a large one is referred to and
/// encoded only as it is written, through the pipe's kept stage a piece at a time: 1 MB and 0.25-0.8 s.
/// </summary>
public sealed class StringsByReferenceTests
{
    private const int Stage = RemoteValueStage.Bytes;

    public static TheoryData<string> Straddling => ["pairs", "three-byte", "mixed"];

    [Theory]
    [MemberData(nameof(Straddling))]
    public void AStringWhoseCharactersStraddleTheStagesPieces_ArrivesWhole_AndNoWriteIsLargerThanTheStage(string kind)
    {
        // Each body is preceded by 0-3 ASCII characters, so that across the cases a four-byte (or three-byte) character's
        // bytes start at each of the last bytes of a stage's piece, and a surrogate pair sits at an even and at an odd
        // character index: an encoder that split a pair, or a character's bytes, across pieces changes the string.
        var texts = Enumerable.Range(0, 4).Select(prefix => new string('a', prefix) + Body(kind, (3 * Stage) + 1000)).ToArray();
        var stage = new RemoteValueStage();
        using var codec = new RemoteValueCodec<string>(typeof(string), () => throw new InvalidOperationException("no JSON"), allowRaw: true);
        foreach (var text in texts)
        {
            var buffer = new RemoteValueBuffer { ReferencesLargeValues = true };
            Assert.Null(codec.Write(buffer, [text, "small é", null!], 3));

            // Referred to, not encoded into the buffer.
            Assert.InRange(buffer.Capacity, 0, 64 * 1024);
            var pipe = new RecordingPipe();
            buffer.WriteTo(pipe, stage);

            Assert.All(pipe.Writes, w => Assert.InRange(w.Length, 0, Stage));
            var wire = pipe.ToArray();
            Assert.Equal(buffer.ToArray(), wire);
            Assert.True(wire.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) > 0);

            var values = new string[3];
            var errors = new Exception?[3];
            Assert.Equal(wire.Length, codec.Read(wire, 3, values, errors));
            Assert.All(errors, Assert.Null);
            Assert.Equal(text, values[0]);
            Assert.Equal("small é", values[1]);
            Assert.Null(values[2]);
        }
    }

    [Fact]
    public void LoneSurrogates_ArriveAsReplacementCharacters_AsJsonSentThem_InTheBufferAndByReference()
    {
        var large = "x\uD800" + new string('b', Stage) + "\uDC00y" + new string('€', Stage / 3) + "\uD83D";
        var expected = large.Replace('\uD800', '\uFFFD').Replace('\uDC00', '\uFFFD').Replace('\uD83D', '\uFFFD');
        foreach (var text in new[] { "a\uD800b", large })
        {
            var stage = new RemoteValueStage();
            using var codec = new RemoteValueCodec<string>(typeof(string), () => throw new InvalidOperationException("no JSON"), allowRaw: true);
            var buffer = new RemoteValueBuffer { ReferencesLargeValues = true };
            codec.Write(buffer, [text], 1);
            var pipe = new RecordingPipe();
            buffer.WriteTo(pipe, stage);

            var values = new string[1];
            codec.Read(pipe.ToArray(), 1, values, new Exception?[1]);
            Assert.Equal(text.Length == 3 ? "a\uFFFDb" : expected, values[0]);
        }
    }

    [Fact]
    public void ALargeStringInput_IsReferredTo_NotCopiedIntoTheBatchFrame()
    {
        var text = Body("mixed", 1024 * 1024);
        using var codec = new BatchCodec<string, string>(ProcessWork.ForWorkerHost(typeof(Echo)));
        var frame = codec.EncodeBatch(7, 1, 0, new[] { "a", text, "" }, out var failures);

        Assert.Null(failures);
        Assert.InRange(frame.Capacity, 0, 64 * 1024);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), frame.ReferencedBytes);
        var pipe = new RecordingPipe();
        frame.WriteTo(pipe, new RemoteValueStage());
        Assert.Equal(frame.ToArray(), pipe.ToArray());
        Assert.Equal(frame.ToArray().Length - 4, BitConverter.ToInt32(frame.ToArray()));
    }

    [Fact]
    public void ALargeStringResult_GoesThroughTheWorkersStage_AndArrivesWhole_HeldAsObjectToo()
    {
        var (writes, values, retained) = WorkerResults.Run<Echo, string, string>(["a", Body("pairs", Stage + 3), ""]);

        Assert.Equal(["a!", Body("pairs", Stage + 3) + "!", "!"], values);
        Assert.All(writes, w => Assert.InRange(w.Length, 0, WorkerChannel.StageBytes));
        Assert.InRange(retained, 0, Stage / 2);

        // A caller holding the work's string results as object (variance) reads the same bytes.
        var held = WorkerResults.Run<Echo, string, object>(["é"]).Values;
        Assert.Equal("é!", Assert.IsType<string>(held[0]));
    }

    [Fact]
    public async Task LargeStrings_RoundTripThroughAWorkerProcess()
    {
        var inputs = new[] { Body("mixed", (2 * Stage) + 1), "", "plain", "a" + Body("pairs", Stage), Body("three-byte", 70_000) };
        await using var engine = TestEngines.Create();
        var result = await Runner.MapAsync(inputs, new Echo(), TestEngines.Run(engine, batchSize: 2));

        Assert.Equal(inputs.Select(i => i + "!").ToArray(), result.Values.ToArray());
    }

    // `length` UTF-16 characters of one kind: surrogate pairs (U+1F600, four bytes in UTF-8), three-byte characters, or
    // a mix of one-, two-, three- and four-byte characters.
    private static string Body(string kind, int length) => string.Create(length, kind, static (span, kind) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = kind switch
            {
                "pairs" => i % 2 == 0 ? '\uD83D' : '\uDE00',
                "three-byte" => (char)('\u4E00' + (i % 500)),
                _ => (i % 6) switch { 0 => 'é', 1 => '€', 2 => '\uD83D', 3 => '\uDE00', _ => (char)('a' + (i % 26)) },
            };
        }

        // A pair cut by the end would be a lone surrogate: end on a complete character.
        if (char.IsHighSurrogate(span[^1]))
        {
            span[^1] = 'z';
        }
    });
}

/// <summary>Returns its input with "!" added.</summary>
public sealed class Echo : IWork<string, string>
{
    /// <inheritdoc />
    public string Execute(string input) => input + "!";
}
