using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Review65;

/// <summary>
/// Runs one batch in a worker's executor in this process, as the worker would: the host's codec encodes the inputs, the
/// worker's <see cref="BatchExecutor"/> runs exactly those bytes on this thread and writes its Results frames to a
/// <see cref="RecordingPipe"/>, and the host's codec decodes them back. For the tests of what the worker sends (reviews
/// 64-66: raw bytes, large results by reference and through the stage, strings, the run-queue wait).
/// </summary>
internal static class WorkerResults
{
    private const long BatchId = 9;

    /// <summary>Runs <paramref name="items"/> through <typeparamref name="TWork"/>; asserts that every item succeeded.</summary>
    /// <param name="items">The inputs, one batch.</param>
    /// <param name="referencesLargeResults">The executor's <see cref="BatchExecutor.ReferencesLargeResults"/>, or
    /// <see langword="null"/> for its default.</param>
    /// <returns>The pipe's writes, the decoded results, and what the executor's values' buffer holds on to after the batch.</returns>
    public static (List<(int Length, byte[]? Array)> Writes, TOut[] Values, long Retained) Run<TWork, TIn, TOut>(TIn[] items, bool? referencesLargeResults = null)
        where TWork : new()
    {
        using var codec = new BatchCodec<TIn, TOut>(ProcessWork.ForWorkerHost(typeof(TWork)));
        var (_, output, retained) = RunBatch<TWork, TIn, TOut>(codec, items, BatchId, referencesLargeResults);
        return (output.Writes, Decode(codec, output.ToArray(), BatchId, items.Length), retained);
    }

    /// <summary>Encodes <paramref name="items"/> with <paramref name="codec"/> (every input serializable) and runs the batch
    /// in a <see cref="BatchExecutor"/> of <typeparamref name="TWork"/>.</summary>
    /// <returns>The Batch frame, the pipe the worker wrote to, and what the executor's values' buffer held after the batch.</returns>
    public static (byte[] Batch, RecordingPipe Output, long Retained) RunBatch<TWork, TIn, TOut>(BatchCodec<TIn, TOut> codec, TIn[] items, long batchId, bool? referencesLargeResults = null)
    {
        var batch = codec.EncodeBatch(7, batchId, 0, items, out var inputFailures).ToArray();
        Assert.Null(inputFailures);

        var output = new RecordingPipe();
        var context = new BatchContext(new WorkerChannel(output), long.MaxValue, reportMemory: false, _ => false, () => CancellationToken.None);
        var descriptor = WorkDescriptor.For(typeof(TWork));
        using var executor = referencesLargeResults is { } references ? new BatchExecutor(descriptor) { ReferencesLargeResults = references } : new BatchExecutor(descriptor);
        var reader = new PayloadReader(batch.AsSpan(WireFormat.HeaderLength, BitConverter.ToInt32(batch) - 1));
        reader.ReadInt32();
        reader.ReadInt64();
        reader.ReadByte();
        var count = reader.ReadInt32();
        executor.Run(batchId, 0, count, ref reader, context);
        return (batch, output, executor.RetainedBufferBytes);
    }

    /// <summary>Splits what the worker wrote into its frames' payloads, each a Results frame's.</summary>
    public static List<byte[]> Payloads(byte[] frames)
    {
        var payloads = new List<byte[]>();
        for (var at = 0; at < frames.Length; at += 4 + BitConverter.ToInt32(frames, at))
        {
            Assert.Equal((byte)MessageType.Results, frames[at + 4]);
            payloads.Add(frames.AsSpan(at + WireFormat.HeaderLength, BitConverter.ToInt32(frames, at) - 1).ToArray());
        }

        return payloads;
    }

    /// <summary>Decodes the Results frames of a batch of <paramref name="count"/> items; asserts that every item succeeded.</summary>
    public static TOut[] Decode<TIn, TOut>(BatchCodec<TIn, TOut> codec, byte[] frames, long batchId, int count)
    {
        var values = new TOut[count];
        var failures = new List<ItemFailure>();
        var offset = 0;
        foreach (var payload in Payloads(frames))
        {
            offset += codec.DecodeResults(payload, batchId, batchStart: 0, batchCount: count, expectedOffset: offset, values, failures, inputFailures: null, "test").Count;
        }

        Assert.Empty(failures);
        Assert.Equal(count, offset);
        return values;
    }
}
