using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Internal;

/// <summary>
/// Turns a batch of inputs into a Batch frame and Results frames back into values and failures, with the work
/// type's JSON metadata. Each value travels length-prefixed, so one that fails to (de)serialize fails only its item.
/// One codec per worker loop: not thread-safe.
/// </summary>
internal sealed class BatchCodec<TIn, TOut> : IDisposable
{
    private const byte Succeeded = 0;
    private const byte Failed = 1;
    private const byte Skipped = 2;

    private readonly JsonTypeInfo<TIn> _input;
    private readonly JsonTypeInfo<TOut> _output;
    private readonly Utf8JsonWriter _writer;
    private readonly FrameBuffer _frame = new();

    public BatchCodec(WorkDescriptor descriptor)
    {
        _input = (JsonTypeInfo<TIn>)descriptor.InputTypeInfo;
        _output = (JsonTypeInfo<TOut>)descriptor.OutputTypeInfo;
        _writer = new Utf8JsonWriter(_frame, new JsonWriterOptions { SkipValidation = true, Encoder = descriptor.SerializerOptions.Encoder });
    }

    /// <summary>Builds the Batch frame; inputs that fail to serialize are sent empty and their errors returned by offset.</summary>
    public FrameBuffer EncodeBatch(int workId, int batchId, byte flags, ReadOnlySpan<TIn> items, out Dictionary<int, Exception>? inputFailures)
    {
        inputFailures = null;
        _frame.Clear();
        _frame.BeginFrame(MessageType.Batch);
        _frame.WriteInt32(workId);
        _frame.WriteInt32(batchId);
        _frame.WriteByte(flags);
        _frame.WriteInt32(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            var at = _frame.BeginValue();
            try
            {
                _writer.Reset(_frame);
                JsonSerializer.Serialize(_writer, items[i], _input);
                _writer.Flush();
            }
            catch (Exception e)
            {
                _frame.Truncate(at + 4);
                (inputFailures ??= [])[i] = new InvalidDataException($"The input could not be serialized as {typeof(TIn).FullName}: {e.Message}", e);
            }

            _frame.EndValue(at);
        }

        _frame.EndFrame();
        return _frame;
    }

    /// <summary>Decodes a Results payload into <paramref name="values"/> (indexed from the chunk's first item) and <paramref name="failures"/>.</summary>
    public ResultChunk DecodeResults(
        ReadOnlySpan<byte> payload,
        int batchId,
        long batchStart,
        int batchCount,
        int expectedOffset,
        TOut[] values,
        List<ItemFailure> failures,
        Dictionary<int, Exception>? inputFailures,
        string location)
    {
        var reader = new PayloadReader(payload);
        var id = reader.ReadInt32();
        var offset = reader.ReadInt32();
        var count = reader.ReadInt32();
        var flags = reader.ReadByte();
        var elapsed = reader.ReadInt64();
        var cpu = reader.ReadInt64();
        var workingSet = reader.ReadInt64();
        if (id != batchId || offset != expectedOffset || count < 0 || count > batchCount - offset)
        {
            throw new ProtocolException($"Worker {location} sent results for batch {id}, items {offset}+{count}, while batch {batchId} expected items from {expectedOffset} of {batchCount}.");
        }

        for (var i = 0; i < count; i++)
        {
            var index = batchStart + offset + i;
            switch (reader.ReadByte())
            {
                case Succeeded:
                    var json = reader.ReadValue();
                    try
                    {
                        values[i] = JsonSerializer.Deserialize(json, _output)!;
                    }
                    catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
                    {
                        values[i] = default!;
                        failures.Add(new ItemFailure(index, new JsonException($"The result of item {index} came back but could not be deserialized as {typeof(TOut).FullName}: {e.Message}", e)));
                    }

                    break;
                case Failed:
                    values[i] = default!;
                    failures.Add(new ItemFailure(index, RemoteError.Read(ref reader, location)));
                    break;
                case Skipped when inputFailures is not null && inputFailures.TryGetValue(offset + i, out var error):
                    values[i] = default!;
                    failures.Add(new ItemFailure(index, error));
                    break;
                case var status:
                    throw new ProtocolException($"Worker {location} sent item status {status} for item {index}.");
            }
        }

        if (reader.Remaining != 0)
        {
            throw new ProtocolException($"Worker {location} sent {reader.Remaining} bytes after the last item of a Results frame.");
        }

        return new ResultChunk(offset, count, (flags & WireFormat.ResultsFinal) != 0, TimeSpan.FromTicks(elapsed), cpu >= 0 ? TimeSpan.FromTicks(cpu) : null, workingSet);
    }

    public void Dispose() => _writer.Dispose();
}
