using Brigade.Engines.Remote;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Worker;

/// <summary>
/// Runs batches of one work type in this worker: the remote kit's <see cref="RemoteItemExecutor"/> runs the items; this
/// class only turns a Batch frame into its inputs and each chunk of results into a Results frame.
/// </summary>
internal sealed class BatchExecutor : IRemoteResultWriter, IDisposable
{
    private static readonly CancellationToken Cancelled = new(canceled: true);

    // RemoteValueCodec's "each value length-prefixed" encoding with no value after it: a chunk whose items all failed.
    private const byte NoValues = RemoteValueCodec<byte>.EachPrefixed;

    // Values up to this size are copied into the frame (one write); larger ones are written from where they are.
    private const int InlineValueBytes = 64 * 1024;

    private readonly RemoteItemExecutor _executor;
    private readonly FrameBuffer _frame = new();
    private long _batchId;
    private BatchContext? _context;
    private bool _releasedLarge;

    public BatchExecutor(RemoteItemExecutor executor)
    {
        _executor = executor;

        // The values' buffer grown for a large result is kept while large results keep coming (review 63: a fresh 30 MB
        // buffer per 10 MB string) and given back when the worker is idle (ReleaseIdle).
        _executor.KeepsLargeBuffers = true;

        // A large byte[] result goes to the pipe from its own array (through the channel's small staging buffer), not
        // copied into the values' buffer first (reviews 65, 65c).
        _executor.ReferencesLargeValues = true;
    }

    /// <summary>Gets or sets whether a large <c>byte[]</c>/<c>ReadOnlyMemory&lt;byte&gt;</c> result goes to the pipe from its
    /// own memory rather than copied into the values' buffer first (on by default). Review 65 measured it off: sent straight
    /// from the work's fresh array it halved the worker's working set but cost more CPU, all of it the kernel's copy into
    /// the pipe from newly faulted pages; review 65c sends it through a small kept buffer (<see cref="WorkerChannel.StageBytes"/>),
    /// which keeps the memory win at the copy's CPU or less.</summary>
    internal bool ReferencesLargeResults
    {
        get => _executor.ReferencesLargeValues;
        init => _executor.ReferencesLargeValues = value;
    }

    /// <summary>An executor for a work type found by reflection (the worker's tests build one without a process).</summary>
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("The executor is built for the work's input and result types at run time.")]
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Work descriptors find interfaces, constructors and JSON metadata by reflection.")]
    public BatchExecutor(WorkDescriptor descriptor, ItemPolicySpec? policy = null)
        : this(RemoteItemExecutor.Create(descriptor, policy, allowRaw: true))
    {
    }

    public void Run(long batchId, byte flags, int count, ref PayloadReader items, BatchContext context)
    {
        try
        {
            items.Skip(_executor.ReadInputs(items.Rest, count));
        }
        catch (RemoteFormatException e)
        {
            throw new ProtocolException($"batch {batchId}: {e.Message}", e);
        }

        _batchId = batchId;
        _context = context;

        // A batch cancelled before it started runs nothing; once it runs, Cancel trips the token (Executor.Cancel).
        var token = context.IsCancelled(batchId) ? Cancelled : context.Token;
        _executor.Run(this, new RemoteBatchControl(context.FlushIntervalTicks, (flags & WireFormat.BatchFlushEachItem) != 0, RemoteCpuClock.Process, token));
    }

    public void WriteChunk(in RemoteResultChunk chunk)
    {
        WriteHead(chunk, chunk.Statuses, chunk.Failures);
        var values = chunk.Values;
        var separate = values.Length > InlineValueBytes || !chunk.ValueReferences.IsEmpty;
        if (!separate)
        {
            _frame.WriteBytes(values);
        }

        var tail = separate ? chunk.ValueBytes : 0;
        if (_frame.PendingFrameLength + tail <= WireFormat.MaxFrameLength || chunk.Count != 1 || chunk.SucceededCount != 1)
        {
            // Several items over the limit: the frame fails (the worker stops) and the host runs them again one at a
            // time, where the branch below fails only the item whose result is too large.
            _frame.EndFrame((int)Math.Min(tail, int.MaxValue));

            // Large values go to the channel from the buffer they were serialized into (review 63: copying a 10 MB result
            // into the frame cost a 13 MB buffer and a copy per result), a large byte[] result from its own array (review
            // 65); small ones ride in the frame, one write.
            _context!.Channel.Write(_frame, separate ? values : default, chunk.ValueReferences);

            // Sent: a buffer grown for a huge frame (up to 512 MiB for a 256 MiB one) is let go now (lib56: it stayed
            // until the worker's next chunk, for an idle pooled worker until its next run), and the executor lets go of
            // the values' buffer when this returns.
            LetGoOfFrame(chunk.ValueBytes);
            return;
        }

        // One result too large for any frame: it fails its item with the reason, and the worker goes on.
        var error = RemoteError.From(new InvalidDataException(
            $"The result is {chunk.ValueBytes:N0} bytes, over the protocol's frame limit of 256 MiB ({WireFormat.MaxFrameLength:N0} bytes): return a path or key instead of the value."));
        WriteHead(chunk, [RemoteItemExecutor.Failed], [new RemoteItemFailure(chunk.Offset, error, 1)]);
        _frame.WriteByte(NoValues);
        _frame.EndFrame();
        _context!.Channel.Write(_frame);
        LetGoOfFrame(chunk.ValueBytes);
    }

    /// <summary>Gets the size of a let-go buffer from which the worker gives memory back when idle (64 MiB; a test's is smaller).</summary>
    internal long LargeBufferBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Returns whether a buffer of at least <see cref="LargeBufferBytes"/> was let go since the last call.</summary>
    /// <remarks>Letting go frees nothing until a collection runs, and in a worker that has just sent its result none may
    /// run until its next run's allocations (lib57: 1.5 GB resident in an idle worker after a 300 MB result). So the
    /// executor collects once when it is next idle (<c>WorkerMemory.GiveBack</c>).</remarks>
    internal bool TakeLargeRelease()
    {
        var released = _releasedLarge;
        _releasedLarge = false;
        return released;
    }

    private void LetGoOfFrame(long valueBytes)
    {
        // The frame holds the values when they were small enough to copy in, and may have grown for many failures'
        // errors. The values' buffer is kept for the next chunks: a huge one (as large as a result of hundreds of
        // megabytes) is let go as soon as the worker is idle, a smaller one once it has been idle a while (ReleaseIdle).
        // (A string's values buffer grows to three bytes a character: it can pass 64 MiB for values under it.)
        _releasedLarge |= _frame.Capacity >= LargeBufferBytes || valueBytes >= LargeBufferBytes
            || _executor.RetainedBufferBytes >= LargeBufferBytes;
        _frame.Clear();
    }

    /// <summary>Gets whether the executor keeps a values' buffer grown for large results (over 4 MiB).</summary>
    internal bool HoldsLargeBuffer => _executor.RetainedBufferBytes > KeptBufferBytes;

    /// <summary>Lets go of the values' buffer kept for large results; returns whether the worker should give memory back
    /// (it was large enough that nothing else would collect it soon).</summary>
    internal bool ReleaseIdle() => _executor.ReleaseBuffers() > KeptBufferBytes;

    // RemoteValueBuffer's own limit: buffers up to this size are kept whatever the transport says.
    private const int KeptBufferBytes = 4 * 1024 * 1024;

    /// <summary>Gets the bytes the executor's buffers hold on to between chunks (a test's window on lib56's release).</summary>
    internal long RetainedBufferBytes => _frame.Capacity + _executor.RetainedBufferBytes;

    public void Dispose() => _executor.Dispose();

    // Everything of a Results frame before its values.
    private void WriteHead(in RemoteResultChunk chunk, ReadOnlySpan<byte> statuses, IReadOnlyList<RemoteItemFailure> failures)
    {
        var flags = (chunk.Final ? WireFormat.ResultsFinal : 0) | (chunk.ReportsAttempts ? WireFormat.ResultsAttempts : 0);
        _frame.Clear();
        _frame.BeginFrame(MessageType.Results);
        _frame.WriteInt64(_batchId);
        _frame.WriteInt32(chunk.Offset);
        _frame.WriteInt32(chunk.Count);
        _frame.WriteByte((byte)flags);
        _frame.WriteInt64(chunk.ElapsedTicks);
        _frame.WriteInt64(chunk.CpuTicks);
        _frame.WriteInt64(chunk.RunQueueTicks);
        _frame.WriteInt64(chunk.Final && _context!.ReportMemory ? Environment.WorkingSet : -1);
        _frame.WriteBytes(statuses);
        foreach (var failure in failures)
        {
            ErrorFrames.Write(_frame, failure.Error);
            if (chunk.ReportsAttempts)
            {
                _frame.WriteInt32(failure.Attempts);
            }
        }
    }
}
