using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Worker;

/// <summary>
/// Runs batches of one work type: reads each input, runs the work, writes each result or failure, and sends the
/// results in chunks: at the end of the batch, and mid-batch whenever the flush interval has passed (or after every
/// item when the host asks), so the host always knows which items finished if this process dies.
/// </summary>
internal sealed class BatchExecutor<TIn, TOut> : IBatchExecutor
{
    private const byte Succeeded = 0;
    private const byte Failed = 1;
    private const byte Skipped = 2;

    private readonly object _instance;
    private readonly IWork<TIn, TOut>? _sync;
    private readonly IAsyncWork<TIn, TOut>? _async;
    private readonly JsonTypeInfo<TIn> _input;
    private readonly JsonTypeInfo<TOut> _output;
    private readonly FrameBuffer _buffer = new();
    private readonly Utf8JsonWriter _json;

    // The current chunk: where its patched fields are, when it began, and how many items it holds.
    private int _countAt;
    private int _flagsAt;
    private int _elapsedAt;
    private int _cpuAt;
    private int _memoryAt;
    private long _chunkStart;
    private long _chunkCpuStart;
    private int _chunkCount;

    public BatchExecutor(WorkDescriptor descriptor)
    {
        _instance = descriptor.CreateInstance();
        _sync = _instance as IWork<TIn, TOut>;
        _async = _instance as IAsyncWork<TIn, TOut>;
        _input = (JsonTypeInfo<TIn>)descriptor.InputTypeInfo;
        _output = (JsonTypeInfo<TOut>)descriptor.OutputTypeInfo;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = descriptor.SerializerOptions.Encoder });
    }

    public void Run(int batchId, byte flags, int count, ref PayloadReader items, BatchContext context)
    {
        var flushEach = (flags & WireFormat.BatchFlushEachItem) != 0;
        var token = context.Token;
        var offset = 0;
        BeginChunk(batchId, offset);
        for (var i = 0; i < count; i++)
        {
            if (context.IsCancelled(batchId) || token.IsCancellationRequested)
            {
                break;
            }

            var json = items.ReadValue();
            if (json.IsEmpty)
            {
                // The host could not serialize this input and reports the item itself.
                _buffer.WriteByte(Skipped);
            }
            else if (!RunItem(json, token))
            {
                break;
            }

            _chunkCount++;
            if (i < count - 1 && (flushEach || Stopwatch.GetTimestamp() - _chunkStart >= context.FlushIntervalTicks))
            {
                Flush(context, final: false);
                offset = i + 1;
                BeginChunk(batchId, offset);
            }
        }

        Flush(context, final: true);
    }

    // Returns false when the item was cancelled by the run: it did not finish, so it counts as not run.
    private bool RunItem(ReadOnlySpan<byte> json, CancellationToken token)
    {
        TIn input;
        try
        {
            input = JsonSerializer.Deserialize(json, _input)!;
        }
        catch (Exception e)
        {
            WriteFailure(new InvalidDataException($"The input could not be deserialized as {typeof(TIn).FullName}: {e.Message}", e));
            return true;
        }

        TOut result;
        try
        {
            if (_sync is not null)
            {
                result = _sync.Execute(input);
            }
            else
            {
                var pending = _async!.ExecuteAsync(input, token);
                result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e)
        {
            WriteFailure(e);
            return true;
        }

        var mark = _buffer.Length;
        try
        {
            _buffer.WriteByte(Succeeded);
            var lengthAt = _buffer.BeginValue();
            _json.Reset(_buffer);
            JsonSerializer.Serialize(_json, result, _output);
            _json.Flush();
            _buffer.EndValue(lengthAt);
        }
        catch (Exception e)
        {
            _buffer.Truncate(mark);
            WriteFailure(new InvalidDataException($"The result could not be serialized as {typeof(TOut).FullName}: {e.Message}", e));
        }

        return true;
    }

    private void WriteFailure(Exception e)
    {
        _buffer.WriteByte(Failed);
        RemoteError.Write(_buffer, e);
    }

    private void BeginChunk(int batchId, int offset)
    {
        _buffer.Clear();
        _buffer.BeginFrame(MessageType.Results);
        _buffer.WriteInt32(batchId);
        _buffer.WriteInt32(offset);
        _countAt = _buffer.ReserveField(4);
        _flagsAt = _buffer.ReserveField(1);
        _elapsedAt = _buffer.ReserveField(8);
        _cpuAt = _buffer.ReserveField(8);
        _memoryAt = _buffer.ReserveField(8);
        _chunkCount = 0;
        _chunkStart = Stopwatch.GetTimestamp();
        _chunkCpuStart = Environment.CpuUsage.TotalTime.Ticks;
    }

    private void Flush(BatchContext context, bool final)
    {
        _buffer.PatchInt32(_countAt, _chunkCount);
        _buffer.PatchByte(_flagsAt, final ? WireFormat.ResultsFinal : (byte)0);
        _buffer.PatchInt64(_elapsedAt, Stopwatch.GetElapsedTime(_chunkStart).Ticks);
        _buffer.PatchInt64(_cpuAt, Environment.CpuUsage.TotalTime.Ticks - _chunkCpuStart);
        _buffer.PatchInt64(_memoryAt, final && context.ReportMemory ? Environment.WorkingSet : -1);
        _buffer.EndFrame();
        context.Channel.Write(_buffer);
    }

    public void Dispose()
    {
        _json.Dispose();
        switch (_instance)
        {
            case IAsyncDisposable asyncDisposable:
                asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
            default:
                break;
        }
    }
}
