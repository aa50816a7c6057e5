using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Brigade.Diagnostics;
using Brigade.Orleans.Protocol;

namespace Brigade.Orleans.Grains;

/// <summary>Runs batches of one work type on a silo: one instance of the work, typed, so items cost no reflection.</summary>
/// <remarks>Not thread-safe: a worker grain runs one batch at a time on its own invoker, as the work's contract promises
/// (one item at a time per instance).</remarks>
internal abstract class WorkInvoker
{
    public abstract bool IsAsync { get; }

    public static WorkInvoker Create(WorkDescriptor descriptor)
    {
        var type = typeof(WorkInvoker<,>).MakeGenericType(descriptor.InputType, descriptor.OutputType);
        return (WorkInvoker)Activator.CreateInstance(type, descriptor)!;
    }

    /// <summary>Runs a batch of synchronous work on the calling thread.</summary>
    public abstract BatchResponse Run(BatchRequest request, string silo, CancellationToken cancellationToken);

    /// <summary>Runs a batch of asynchronous work.</summary>
    public abstract Task<BatchResponse> RunAsync(BatchRequest request, string silo, CancellationToken cancellationToken);
}

/// <summary>The typed invoker for work with input <typeparamref name="TIn"/> and result <typeparamref name="TOut"/>.</summary>
internal sealed class WorkInvoker<TIn, TOut> : WorkInvoker
{
    private readonly IWork<TIn, TOut>? _sync;
    private readonly IAsyncWork<TIn, TOut>? _async;
    private readonly JsonTypeInfo<TIn> _input;
    private readonly JsonTypeInfo<TOut> _output;

    public WorkInvoker(WorkDescriptor descriptor)
    {
        var instance = descriptor.CreateInstance();
        _sync = instance as IWork<TIn, TOut>;
        _async = instance as IAsyncWork<TIn, TOut>;
        _input = (JsonTypeInfo<TIn>)descriptor.InputTypeInfo;
        _output = (JsonTypeInfo<TOut>)descriptor.OutputTypeInfo;
    }

    public override bool IsAsync => _sync is null;

    public override BatchResponse Run(BatchRequest request, string silo, CancellationToken cancellationToken)
    {
        var cpuStart = CpuTime.CurrentThread?.Ticks ?? -1;
        using var batch = new BatchState(request, _output);
        for (var i = 0; i < request.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (!batch.TryReadInput(i, _input, out var input))
            {
                continue;
            }

            TOut value;
            try
            {
                value = _sync!.Execute(input);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                batch.Fail(i, e);
                continue;
            }

            batch.WriteResult(i, value);
        }

        var cpuEnd = CpuTime.CurrentThread?.Ticks ?? -1;
        return batch.Finish(silo, cpuStart >= 0 && cpuEnd >= 0 ? cpuEnd - cpuStart : -1);
    }

    public override async Task<BatchResponse> RunAsync(BatchRequest request, string silo, CancellationToken cancellationToken)
    {
        using var batch = new BatchState(request, _output);
        for (var i = 0; i < request.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (!batch.TryReadInput(i, _input, out var input))
            {
                continue;
            }

            TOut value;
            try
            {
                value = await _async!.ExecuteAsync(input, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                batch.Fail(i, e);
                continue;
            }

            batch.WriteResult(i, value);
        }

        // Asynchronous work may hop threads, so its CPU time cannot be read from one thread's clock.
        return batch.Finish(silo, -1);
    }

    /// <summary>One batch in progress: the inputs split into elements, the results written as one JSON array.</summary>
    private sealed class BatchState : IDisposable
    {
        private readonly BatchRequest _request;
        private readonly JsonTypeInfo<TOut> _output;
        private readonly (int Start, int Length)[] _elements;
        private readonly ArrayBufferWriter<byte> _results = new();
        private readonly Utf8JsonWriter _writer;
        private readonly ArrayBufferWriter<byte> _scratch = new();
        private readonly Utf8JsonWriter _scratchWriter;
        private readonly HashSet<int>? _skip;
        private List<ItemError>? _errors;
        private int _ran;

        public BatchState(BatchRequest request, JsonTypeInfo<TOut> output)
        {
            _request = request;
            _output = output;
            _elements = Split(request.Items, request.Count);
            _writer = new Utf8JsonWriter(_results, new JsonWriterOptions { SkipValidation = true });
            _scratchWriter = new Utf8JsonWriter(_scratch, new JsonWriterOptions { SkipValidation = true });
            _writer.WriteStartArray();
            _skip = request.Skip is { Length: > 0 } skip ? [.. skip] : null;
        }

        public bool TryReadInput(int offset, JsonTypeInfo<TIn> input, out TIn value)
        {
            value = default!;
            if (_skip is not null && _skip.Contains(offset))
            {
                // The caller could not serialize this item and reports it failed itself.
                _writer.WriteNullValue();
                _ran = offset + 1;
                return false;
            }

            try
            {
                var (start, length) = _elements[offset];
                value = JsonSerializer.Deserialize(_request.Items.AsSpan(start, length), input)!;
                return true;
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                Fail(offset, new NotSupportedException($"The input could not be deserialized on the silo as {typeof(TIn).FullName}: {e.Message}", e));
                return false;
            }
        }

        public void WriteResult(int offset, TOut value)
        {
            _scratch.ResetWrittenCount();
            _scratchWriter.Reset();
            try
            {
                JsonSerializer.Serialize(_scratchWriter, value, _output);
                _scratchWriter.Flush();
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                Fail(offset, new NotSupportedException($"The result could not be serialized on the silo as {typeof(TOut).FullName}: {e.Message}", e));
                return;
            }

            _writer.WriteRawValue(_scratch.WrittenSpan, skipInputValidation: true);
            _ran = offset + 1;
        }

        public void Fail(int offset, Exception exception)
        {
            (_errors ??= []).Add(new ItemError { Offset = offset, Error = RemoteError.From(exception) });
            _writer.WriteNullValue();
            _ran = offset + 1;
        }

        public BatchResponse Finish(string silo, long cpuTicks)
        {
            _writer.WriteEndArray();
            _writer.Flush();
            return new BatchResponse
            {
                Silo = silo,
                Ran = _ran,
                Results = _results.WrittenSpan.ToArray(),
                Errors = _errors?.ToArray(),
                CpuTicks = cpuTicks,
            };
        }

        public void Dispose()
        {
            _writer.Dispose();
            _scratchWriter.Dispose();
        }

        private static (int Start, int Length)[] Split(byte[] json, int count)
        {
            var elements = new (int Start, int Length)[count];
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new InvalidOperationException("A batch's items must be a JSON array.");
            }

            for (var i = 0; i < count; i++)
            {
                if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                {
                    throw new InvalidOperationException($"A batch announced {count} items but carried {i}.");
                }

                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                elements[i] = (start, (int)reader.BytesConsumed - start);
            }

            return elements;
        }
    }
}
