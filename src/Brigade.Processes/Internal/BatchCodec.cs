using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Brigade.Engines.Remote;
using Brigade.Internal;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Internal;

/// <summary>
/// Turns a batch of inputs into a Batch frame and Results frames back into values and failures, with the work
/// type's JSON metadata. Values travel as one JSON array when they can, each on its own otherwise, so a value that
/// fails to (de)serialize fails only its item (<see cref="RemoteValueCodec{T}"/>). The run's types may differ from the
/// work's by variance (<see cref="WorkTypeCheck"/>). One codec per worker loop: not thread-safe.
/// </summary>
internal sealed class BatchCodec<TIn, TOut> : IDisposable
{
    private const byte Succeeded = 0;
    private const byte Failed = 1;

    private readonly RemoteValueCodec<TIn> _input;
    private readonly RemoteValueCodec<TOut> _output;
    private readonly FrameBuffer _frame = new();
    private readonly List<(RemoteWorkException Error, int Attempts)> _remote = [];
    private TOut[] _received = new TOut[16];
    private Exception?[] _receivedErrors = new Exception?[16];

    private readonly int _maxFrameLength;

    public BatchCodec(ProcessWork work, int maxFrameLength = WireFormat.MaxFrameLength)
    {
        _maxFrameLength = maxFrameLength;

        // A large byte[] input goes to the pipe by reference (WorkerProcess.Send, through the worker's kept stage since
        // review 65d), not copied into a frame grown for it: before review 65 each 10 MB input cost a frame buffer regrown
        // from 4 KiB by doubling (~32 MB allocated and copied) and let go after the batch. The inputs stay unchanged while
        // the frame is written (the batch holds them).
        _frame.ReferencesLargeValues = true;
        _input = new RemoteValueCodec<TIn>(work.InputType, () => work.InputTypeInfo, allowRaw: true);
        _output = new RemoteValueCodec<TOut>(work.OutputType, () => work.OutputTypeInfo, allowRaw: true);
    }

    /// <summary>Builds the Batch frame; inputs that fail to serialize are sent empty and their errors returned by offset.</summary>
    /// <exception cref="ProtocolException">Several items together exceed the frame limit (see <see cref="TryEncodeBatch"/>).</exception>
    public FrameBuffer EncodeBatch(int workId, long batchId, byte flags, ReadOnlyMemory<TIn> items, out Dictionary<int, Exception>? inputFailures) =>
        TryEncodeBatch(workId, batchId, flags, items, out inputFailures)
        ?? throw new ProtocolException(string.Create(CultureInfo.InvariantCulture, $"A batch of {items.Length} items exceeds the frame limit of {_maxFrameLength:N0} bytes."));

    /// <summary>Builds the Batch frame; inputs that fail to serialize are sent empty and their errors returned by offset.</summary>
    /// <returns>The frame, or <see langword="null"/> when several items together exceed the protocol's frame limit
    /// (<see cref="WireFormat.MaxFrameLength"/>, or the engine's lower one): the caller sends them in smaller batches. One item alone over the limit
    /// is sent empty and fails with why, like an input that cannot be serialized.</returns>
    public FrameBuffer? TryEncodeBatch(int workId, long batchId, byte flags, ReadOnlyMemory<TIn> items, out Dictionary<int, Exception>? inputFailures)
    {
        var array = MemoryMarshal.TryGetArray(items, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : items.ToArray();
        _frame.Clear();
        _frame.BeginFrame(MessageType.Batch);
        _frame.WriteInt32(workId);
        _frame.WriteInt64(batchId);
        _frame.WriteByte(flags);
        _frame.WriteInt32(array.Length);
        var failed = _input.Write(_frame, array, array.Length);
        inputFailures = failed?.ToDictionary(f => f.Offset, f => (Exception)new InvalidDataException($"The input could not be serialized as {typeof(TIn).FullName}: {SerializationErrorText.Describe(f.Error)}", f.Error));
        if (_frame.PendingFrameLength > _maxFrameLength)
        {
            // Lib54: a lazy input of 50 MB items let the adaptive batch grow past the limit, and the whole run failed with
            // a ProtocolException ("use smaller batches or items") that no option of the caller's could avoid.
            var length = _frame.PendingFrameLength;
            _frame.Clear();
            if (array.Length > 1)
            {
                inputFailures = null;
                return null;
            }

            _frame.BeginFrame(MessageType.Batch);
            _frame.WriteInt32(workId);
            _frame.WriteInt64(batchId);
            _frame.WriteByte(flags);
            _frame.WriteInt32(1);
            _frame.WriteByte(RemoteValueCodec<TIn>.EachPrefixed);
            _frame.EndValue(_frame.BeginValue());
            inputFailures = new Dictionary<int, Exception>
            {
                [0] = new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"The input is {length:N0} bytes serialized as {typeof(TIn).FullName}, over the {_maxFrameLength:N0} bytes a message to a worker process may hold: pass a path or a smaller piece of the data instead.")),
            };
        }

        _frame.EndFrame();
        return _frame;
    }

    /// <summary>Decodes a Results payload into <paramref name="values"/> (indexed from the chunk's first item) and <paramref name="failures"/>.</summary>
    public ResultChunk DecodeResults(
        ReadOnlySpan<byte> payload,
        long batchId,
        long batchStart,
        int batchCount,
        int expectedOffset,
        TOut[] values,
        List<ItemFailure> failures,
        Dictionary<int, Exception>? inputFailures,
        string location)
    {
        var reader = new PayloadReader(payload);
        var id = reader.ReadInt64();
        var offset = reader.ReadInt32();
        var count = reader.ReadInt32();
        var flags = reader.ReadByte();
        var elapsed = reader.ReadInt64();
        var cpu = reader.ReadInt64();
        var runQueue = reader.ReadInt64();
        var workingSet = reader.ReadInt64();
        if (id != batchId || offset != expectedOffset || count < 0 || count > batchCount - offset)
        {
            throw new ProtocolException($"Worker {location} sent results for batch {id}, items {offset}+{count}, while batch {batchId} expected items from {expectedOffset} of {batchCount}.");
        }

        var statuses = reader.ReadBytes(count);
        var failedCount = 0;
        foreach (var status in statuses)
        {
            failedCount += status switch
            {
                Succeeded => 0,
                Failed => 1,
                _ => throw new ProtocolException($"Worker {location} sent item status {status}."),
            };
        }

        _remote.Clear();
        var withAttempts = (flags & WireFormat.ResultsAttempts) != 0;
        for (var k = 0; k < failedCount; k++)
        {
            var error = ErrorFrames.Read(ref reader).ToException(location);
            var attempts = withAttempts ? reader.ReadInt32() : 1;
            if (attempts < 1)
            {
                throw new ProtocolException($"Worker {location} sent a failure after {attempts} attempts.");
            }

            _remote.Add((error, attempts));
        }

        var succeeded = count - failedCount;
        if (_received.Length < succeeded)
        {
            _received = new TOut[Math.Max(succeeded, _received.Length * 2)];
            _receivedErrors = new Exception?[_received.Length];
        }

        try
        {
            reader.Skip(_output.Read(reader.Rest, succeeded, _received, _receivedErrors));
        }
        catch (RemoteFormatException e)
        {
            throw new ProtocolException($"Worker {location} sent malformed results: {e.Message}", e);
        }

        if (reader.Remaining != 0)
        {
            throw new ProtocolException($"Worker {location} sent {reader.Remaining} bytes after the last value of a Results frame.");
        }

        var j = 0;
        var f = 0;
        for (var i = 0; i < count; i++)
        {
            var index = batchStart + offset + i;
            if (statuses[i] == Succeeded)
            {
                if (_receivedErrors[j] is { } error)
                {
                    values[i] = default!;
                    failures.Add(new ItemFailure(index, new JsonException($"The result of item {index} came back but could not be deserialized as {typeof(TOut).FullName}: {ExceptionText.Message(error)}", error)));
                }
                else
                {
                    values[i] = _received[j];
                }

                j++;
            }
            else
            {
                values[i] = default!;
                var (remote, attempts) = _remote[f++];
                failures.Add(inputFailures is not null && inputFailures.TryGetValue(offset + i, out var local)
                    ? new ItemFailure(index, local)
                    : new ItemFailure(index, remote) { Attempts = attempts });
            }
        }

        Array.Clear(_received, 0, succeeded);
        return new ResultChunk(offset, count, (flags & WireFormat.ResultsFinal) != 0, TimeSpan.FromTicks(elapsed), cpu >= 0 ? TimeSpan.FromTicks(cpu) : null, workingSet)
        {
            // A wait longer than the chunk is no reading of it (a worker that measured wrong): unknown rather than wrong.
            RunQueueWait = runQueue >= 0 && runQueue <= elapsed ? TimeSpan.FromTicks(runQueue) : null,
        };
    }

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
    }
}
