using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Brigade.Orleans.Protocol;

namespace Brigade.Orleans.Dispatch;

/// <summary>
/// The caller's side of the wire: a batch's inputs as one JSON array, and a response's results back into values and
/// item failures. Uses the work type's serializer (<see cref="WorkDescriptor"/>), like the silo.
/// </summary>
internal sealed class BatchCodec<TIn, TOut>
{
    private readonly JsonTypeInfo _input;
    private readonly JsonTypeInfo _output;
    private readonly JsonTypeInfo<TIn>? _typedInput;
    private readonly JsonTypeInfo<TOut>? _typedOutput;

    public BatchCodec(WorkDescriptor descriptor)
    {
        WorkType = descriptor.Name;
        _input = descriptor.InputTypeInfo;
        _output = descriptor.OutputTypeInfo;

        // The run's item types may be more derived (inputs) or less derived (results) than the work's, through variance.
        _typedInput = _input as JsonTypeInfo<TIn>;
        _typedOutput = _output as JsonTypeInfo<TOut>;
    }

    public string WorkType { get; }

    /// <summary>Serializes the batch's inputs; an item that cannot be serialized is sent as null, skipped, and failed here.</summary>
    public (byte[] Payload, int[]? Skip, List<ItemFailure>? Failures) Encode(ItemBatch<TIn> batch)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, batch.Count * 16));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            try
            {
                writer.WriteStartArray();
                foreach (var item in batch.Items.Span)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                writer.Flush();
                return (buffer.WrittenSpan.ToArray(), null, null);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                // Rare: some item cannot be serialized. Start again item by item, to know which.
            }
        }

        return EncodeCarefully(batch);
    }

    /// <summary>Turns a response into the batch's values and failures (the silo's, the caller's, and results that cannot be read).</summary>
    public (TOut[] Values, List<ItemFailure>? Failures) Decode(ItemBatch<TIn> batch, BatchResponse response, List<ItemFailure>? clientFailures)
    {
        var ran = response.Ran;
        var values = new TOut[ran];
        List<ItemFailure>? failures = null;
        HashSet<int>? failed = null;
        foreach (var error in response.Errors ?? [])
        {
            (failures ??= []).Add(new ItemFailure(batch.StartIndex + error.Offset, error.Error.ToException($"silo {response.Silo}")));
            (failed ??= []).Add(error.Offset);
        }

        foreach (var failure in clientFailures ?? [])
        {
            var offset = (int)(failure.Index - batch.StartIndex);
            if (offset < ran)
            {
                (failures ??= []).Add(failure);
                (failed ??= []).Add(offset);
            }
        }

        var reader = new Utf8JsonReader(response.Results);
        reader.Read();
        for (var i = 0; i < ran; i++)
        {
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (failed is not null && failed.Contains(i))
            {
                continue;
            }

            var element = response.Results.AsSpan(start, (int)reader.BytesConsumed - start);
            try
            {
                values[i] = _typedOutput is not null ? JsonSerializer.Deserialize(element, _typedOutput)! : (TOut)JsonSerializer.Deserialize(element, _output)!;
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or InvalidCastException)
            {
                (failures ??= []).Add(new ItemFailure(batch.StartIndex + i,
                    new NotSupportedException($"The result of item {batch.StartIndex + i} could not be deserialized as {typeof(TOut).FullName}: {e.Message}", e)));
            }
        }

        return (values, failures);
    }

    private (byte[] Payload, int[]? Skip, List<ItemFailure>? Failures) EncodeCarefully(ItemBatch<TIn> batch)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var scratch = new ArrayBufferWriter<byte>();
        List<int>? skip = null;
        List<ItemFailure>? failures = null;
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        using var itemWriter = new Utf8JsonWriter(scratch, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartArray();
        var items = batch.Items.Span;
        for (var i = 0; i < items.Length; i++)
        {
            scratch.ResetWrittenCount();
            itemWriter.Reset();
            try
            {
                Write(itemWriter, items[i]);
                itemWriter.Flush();
                writer.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                writer.WriteNullValue();
                (skip ??= []).Add(i);
                (failures ??= []).Add(new ItemFailure(batch.StartIndex + i,
                    new NotSupportedException($"Item {batch.StartIndex + i} could not be serialized to send it to the cluster: {e.Message}", e)));
            }
        }

        writer.WriteEndArray();
        writer.Flush();
        return (buffer.WrittenSpan.ToArray(), skip?.ToArray(), failures);
    }

    private void Write(Utf8JsonWriter writer, TIn item)
    {
        if (_typedInput is not null)
        {
            JsonSerializer.Serialize(writer, item, _typedInput);
        }
        else
        {
            JsonSerializer.Serialize(writer, item, _input);
        }
    }
}
