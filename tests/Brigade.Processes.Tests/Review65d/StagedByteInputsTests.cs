using Brigade.Engines.Remote;
using Brigade.Processes.Internal;
using Brigade.Processes.Tests.Review65;

namespace Brigade.Processes.Tests.Review65d;

/// <summary>
/// Review 65d: the host wrote a large <c>byte[]</c> input to the worker's pipe straight from the user's array, and paid the
/// kernel's slow copy from pages the program had just written (20 × 10 MB fresh inputs on 2 workers: 438-525 ms of the
/// host's CPU, 367-450 of it system). It now goes through one kept 256 KiB buffer per worker, as the worker's large results
/// do (review 65c): 150-188 ms, 48-104 system. The host's send path is <c>frame.WriteTo(pipe, stage)</c> with its worker's
/// stage (<see cref="WorkerProcess.Send"/>).
/// </summary>
public sealed class StagedByteInputsTests
{
    // Not a multiple of the stage: the last piece is short.
    private const int Large = (3 * RemoteValueStage.Bytes) + 12_345;

    [Fact]
    public void ALargeByteArrayInput_GoesToThePipeThroughOneKeptStage_NoWriteLargerThanIt()
    {
        var first = Pattern(Large, 5);
        var second = Pattern(Large, 9);
        var stage = new RemoteValueStage();
        using var codec = new BatchCodec<byte[]?, byte[]?>(ProcessWork.ForWorkerHost(typeof(Review64Frames.ReverseBytes)));
        var writes = new List<(int Length, byte[]? Array)>();
        foreach (var batch in new[] { new byte[]?[] { [1, 2], first, null }, [second, [3]] })
        {
            var frame = codec.EncodeBatch(7, 1, 0, batch, out var failures);
            Assert.Null(failures);
            var pipe = new RecordingPipe();
            frame.WriteTo(pipe, stage);

            // The frame on the wire is whole, the input in its place.
            Assert.Equal(frame.ToArray(), pipe.ToArray());
            writes.AddRange(pipe.Writes);
        }

        // No write carries a whole input (nor more than the stage), and every large piece came from one buffer kept from
        // the first batch to the next, not from the user's arrays.
        Assert.All(writes, w => Assert.InRange(w.Length, 0, RemoteValueStage.Bytes));
        var staged = writes.Where(w => w.Array is not null).ToList();
        Assert.Equal(2L * Large, staged.Sum(w => (long)w.Length));
        var kept = Assert.Single(staged.Select(w => w.Array).Distinct());
        Assert.NotNull(kept);
        Assert.NotSame(first, kept);
        Assert.NotSame(second, kept);
        Assert.Equal(RemoteValueStage.Bytes, kept!.Length);
        Assert.True(stage.Holds);
    }

    [Fact]
    public void SmallInputs_AllocateNoStage()
    {
        var stage = new RemoteValueStage();
        using var codec = new BatchCodec<byte[]?, byte[]?>(ProcessWork.ForWorkerHost(typeof(Review64Frames.ReverseBytes)));
        var frame = codec.EncodeBatch(7, 1, 0, new byte[]?[] { [1, 2], new byte[RemoteValueBuffer.ReferenceThreshold - 1] }, out _);
        var pipe = new RecordingPipe();
        frame.WriteTo(pipe, stage);

        Assert.Equal(frame.ToArray(), pipe.ToArray());
        Assert.False(stage.Holds);
    }

    [Fact]
    public async Task LargeInputs_ArriveWhole_InAWorkerProcess()
    {
        // Sizes around the stage's pieces: one byte short of, exactly, and past several stages.
        var inputs = new[] { RemoteValueStage.Bytes - 1, RemoteValueStage.Bytes, Large, 70_000, 5 }
            .Select((size, i) => Pattern(size, i + 1)).ToArray();
        await using var engine = TestEngines.Create();
        var result = await Runner.MapAsync(inputs, new Checksum(), TestEngines.Run(engine, batchSize: 2));

        Assert.Equal(inputs.Select(Checksum.Of).ToArray(), result.Values.ToArray());
    }

    private static byte[] Pattern(int size, int seed)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * seed) + (i >> 9));
        }

        return bytes;
    }
}

/// <summary>An order-sensitive checksum of an input, computed in the worker.</summary>
public sealed class Checksum : IWork<byte[], long>
{
    /// <summary>The checksum of <paramref name="bytes"/>.</summary>
    public static long Of(byte[] bytes)
    {
        long sum = bytes.Length;
        for (var i = 0; i < bytes.Length; i++)
        {
            sum = (sum * 31) + bytes[i];
        }

        return sum;
    }

    /// <inheritdoc />
    public long Execute(byte[] input) => Of(input);
}
