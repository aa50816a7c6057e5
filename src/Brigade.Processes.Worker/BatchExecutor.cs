using System.Diagnostics;
using Brigade.Engines.Remote;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Worker;

/// <summary>
/// Runs batches of one work type: reads the inputs, runs the work item by item, and sends the results in chunks:
/// at the end of the batch, and mid-batch whenever the flush interval has passed (or after every item when the host
/// asks), so the host always knows which items finished if this process dies.
/// </summary>
internal sealed class BatchExecutor<TIn, TOut> : IBatchExecutor
{
    private const byte Succeeded = 0;
    private const byte Failed = 1;

    private readonly object _instance;
    private readonly IWork<TIn, TOut>? _sync;
    private readonly IAsyncWork<TIn, TOut>? _async;
    private readonly RemoteValueCodec<TIn> _input;
    private readonly RemoteValueCodec<TOut> _output;
    private readonly FrameBuffer _frame = new();
    private readonly FrameBuffer _values = new();
    private readonly Action<int, Exception> _failResult;

    private TIn[] _inputs = new TIn[16];
    private Exception?[] _inputErrors = new Exception?[16];

    // The current chunk: each item's status, the failures in item order, and the results of the items that succeeded.
    private byte[] _statuses = new byte[16];
    private TOut[] _outputs = new TOut[16];
    private int[] _outputAt = new int[16];
    private readonly List<(int Offset, Exception Error)> _failures = [];
    private int _chunkOffset;
    private int _chunkCount;
    private int _succeeded;
    private long _chunkStart;
    private long _chunkCpuStart;

    public BatchExecutor(WorkDescriptor descriptor)
    {
        _failResult = FailResult;
        _instance = descriptor.CreateInstance();
        _sync = _instance as IWork<TIn, TOut>;
        _async = _instance as IAsyncWork<TIn, TOut>;
        _input = new RemoteValueCodec<TIn>(descriptor.InputTypeInfo, allowRaw: true);
        _output = new RemoteValueCodec<TOut>(descriptor.OutputTypeInfo, allowRaw: true);
    }

    public void Run(int batchId, byte flags, int count, ref PayloadReader items, BatchContext context)
    {
        if (_inputs.Length < count)
        {
            _inputs = new TIn[count];
            _inputErrors = new Exception?[count];
        }

        try
        {
            items.Skip(_input.Read(items.Rest, count, _inputs, _inputErrors));
        }
        catch (RemoteFormatException e)
        {
            throw new ProtocolException($"batch {batchId}: {e.Message}", e);
        }

        var flushEach = (flags & WireFormat.BatchFlushEachItem) != 0;
        var token = context.Token;
        BeginChunk(0, count);
        for (var i = 0; i < count; i++)
        {
            if (context.IsCancelled(batchId) || token.IsCancellationRequested)
            {
                break;
            }

            if (_inputErrors[i] is { } unreadable)
            {
                Fail(new InvalidDataException($"The input could not be deserialized as {typeof(TIn).FullName}: {unreadable.Message}", unreadable));
            }
            else if (!RunItem(_inputs[i], token))
            {
                break;
            }

            _chunkCount++;
            if (i < count - 1 && (flushEach || Stopwatch.GetTimestamp() - _chunkStart >= context.FlushIntervalTicks))
            {
                Flush(batchId, context, final: false);
                BeginChunk(i + 1, count);
            }
        }

        Flush(batchId, context, final: true);
        Array.Clear(_inputs, 0, count);
    }

    // Returns false when the item was cancelled by the run: it did not finish, so it counts as not run.
    private bool RunItem(TIn input, CancellationToken token)
    {
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
            Fail(e);
            return true;
        }

        _statuses[_chunkCount] = Succeeded;
        _outputAt[_succeeded] = _chunkCount;
        _outputs[_succeeded++] = result;
        return true;
    }

    private void Fail(Exception e)
    {
        _statuses[_chunkCount] = Failed;
        _failures.Add((_chunkCount, e));
    }

    // A result that cannot be serialized fails its item.
    private void FailResult(int offset, Exception error)
    {
        _statuses[offset] = Failed;
        _failures.Add((offset, new InvalidDataException($"The result could not be serialized as {typeof(TOut).FullName}: {error.Message}", error)));
    }

    private void BeginChunk(int offset, int batchCount)
    {
        var room = batchCount - offset;
        if (_statuses.Length < room)
        {
            _statuses = new byte[room];
            _outputs = new TOut[room];
            _outputAt = new int[room];
        }

        _chunkOffset = offset;
        _chunkCount = 0;
        _succeeded = 0;
        _failures.Clear();
        _chunkStart = Stopwatch.GetTimestamp();
        _chunkCpuStart = Environment.CpuUsage.TotalTime.Ticks;
    }

    private void Flush(int batchId, BatchContext context, bool final)
    {
        // Results first, in a buffer of their own: one that cannot be serialized turns its item into a failure.
        _values.Clear();
        var written = _output.WriteSucceeded(_values, _outputs, _outputAt, _succeeded, _failResult);
        if (written != _succeeded)
        {
            _succeeded = written;
            _failures.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
        }

        _frame.Clear();
        _frame.BeginFrame(MessageType.Results);
        _frame.WriteInt32(batchId);
        _frame.WriteInt32(_chunkOffset);
        _frame.WriteInt32(_chunkCount);
        _frame.WriteByte(final ? WireFormat.ResultsFinal : (byte)0);
        _frame.WriteInt64(Stopwatch.GetElapsedTime(_chunkStart).Ticks);
        _frame.WriteInt64(Environment.CpuUsage.TotalTime.Ticks - _chunkCpuStart);
        _frame.WriteInt64(final && context.ReportMemory ? Environment.WorkingSet : -1);
        _frame.WriteBytes(_statuses.AsSpan(0, _chunkCount));
        foreach (var (_, error) in _failures)
        {
            RemoteError.Write(_frame, error);
        }

        _frame.WriteBytes(_values.WrittenSpan);
        _frame.EndFrame();
        context.Channel.Write(_frame);
        Array.Clear(_outputs, 0, _succeeded);
    }

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
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
