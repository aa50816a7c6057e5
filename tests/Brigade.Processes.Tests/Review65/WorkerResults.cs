using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Review65;

/// <summary>
/// Runs one batch in a worker's executor in this process, as the worker would: the host's codec encodes the inputs, the
/// worker's <see cref="BatchExecutor"/> runs them and writes its Results frames to a <see cref="RecordingPipe"/>, and the
/// host's codec decodes them back. For the tests of how large results reach the pipe (reviews 65, 65c, 66).
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
        var descriptor = WorkDescriptor.For(typeof(TWork));
        using var codec = new BatchCodec<TIn, TOut>(ProcessWork.ForWorkerHost(typeof(TWork)));
        var batch = codec.EncodeBatch(7, BatchId, 0, items, out _).ToArray();

        var output = new RecordingPipe();
        var context = new BatchContext(new WorkerChannel(output), long.MaxValue, reportMemory: false, _ => false, () => CancellationToken.None);
        long retained;
        using (var executor = referencesLargeResults is { } references ? new BatchExecutor(descriptor) { ReferencesLargeResults = references } : new BatchExecutor(descriptor))
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
}
