using System.Runtime.InteropServices;
using Brigade.Engines.Remote;
using Brigade.Orleans.Protocol;

namespace Brigade.Orleans.Dispatch;

/// <summary>
/// The caller's side of the wire: a batch's inputs, and a response's results back into values and item failures, in
/// the remote kit's encoding (<see cref="RemoteValueCodec{T}"/>) with the work type's serializer, like the silo. The
/// run's types may differ from the work's by variance (<see cref="WorkTypeCheck"/>). Thread-safe: slots encode at once,
/// each call with codecs of its own.
/// </summary>
internal sealed class BatchCodec<TIn, TOut>(WorkDescriptor descriptor)
{
    public string WorkType { get; } = descriptor.Name;

    /// <summary>Serializes the batch's inputs; an item that cannot be serialized is sent empty and failed here.</summary>
    public (byte[] Payload, List<ItemFailure>? Failures) Encode(ItemBatch<TIn> batch)
    {
        var items = MemoryMarshal.TryGetArray(batch.Items, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : batch.Items.ToArray();
        var buffer = new RemoteValueBuffer(Math.Max(256, items.Length * 16));
        using var codec = new RemoteValueCodec<TIn>(descriptor.InputTypeInfo, allowRaw: false);
        var failed = codec.Write(buffer, items, items.Length);
        var failures = failed?.ConvertAll(f => new ItemFailure(batch.StartIndex + f.Offset,
            new NotSupportedException($"Item {batch.StartIndex + f.Offset} could not be serialized to send it to the cluster: {f.Error.Message}", f.Error)));
        return (buffer.ToArray(), failures);
    }

    /// <summary>Turns a response into the batch's values and failures (the silo's, the caller's, and results that cannot be read).</summary>
    public (TOut[] Values, List<ItemFailure>? Failures) Decode(ItemBatch<TIn> batch, BatchResponse response, List<ItemFailure>? clientFailures)
    {
        var ran = response.Ran;
        var values = new TOut[ran];
        List<ItemFailure>? failures = null;
        var failed = new bool[ran];
        foreach (var error in response.Errors ?? [])
        {
            if (error.Offset < 0 || error.Offset >= ran || failed[error.Offset])
            {
                throw new InvalidOperationException($"Silo {response.Silo} reported a failure at offset {error.Offset} of a batch of which {ran} items ran.");
            }

            // An item the caller could not serialize failed on the silo as unreadable: the caller's own failure says why.
            var local = clientFailures?.Find(f => f.Index == batch.StartIndex + error.Offset);
            (failures ??= []).Add(local ?? new ItemFailure(batch.StartIndex + error.Offset, error.Error.ToError().ToException($"silo {response.Silo}")) { Attempts = Math.Max(1, error.Attempts) });
            failed[error.Offset] = true;
        }

        var succeeded = ran - (response.Errors?.Length ?? 0);
        if (succeeded > 0)
        {
            var received = new TOut[succeeded];
            var errors = new Exception?[succeeded];
            try
            {
                using var codec = new RemoteValueCodec<TOut>(descriptor.OutputTypeInfo, allowRaw: false);
                codec.Read(response.Results, succeeded, received, errors);
            }
            catch (RemoteFormatException e)
            {
                throw new InvalidOperationException($"Silo {response.Silo} sent malformed results: {e.Message}", e);
            }

            var j = 0;
            for (var i = 0; i < ran; i++)
            {
                if (failed[i])
                {
                    continue;
                }

                if (errors[j] is { } error)
                {
                    (failures ??= []).Add(new ItemFailure(batch.StartIndex + i,
                        new NotSupportedException($"The result of item {batch.StartIndex + i} could not be deserialized as {typeof(TOut).FullName}: {error.Message}", error)));
                }
                else
                {
                    values[i] = received[j];
                }

                j++;
            }
        }

        failures?.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return (values, failures);
    }
}
