using Brigade.Diagnostics;
using Brigade.Engines.Remote;
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
/// <remarks>Values travel in the remote kit's encoding (<see cref="RemoteValueCodec{T}"/>), never as raw bytes: the engine
/// may run on another machine.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The codecs hold managed buffers only; an invoker lives as long as its grain activation.")]
internal sealed class WorkInvoker<TIn, TOut> : WorkInvoker
{
    private readonly IWork<TIn, TOut>? _sync;
    private readonly IAsyncWork<TIn, TOut>? _async;
    private readonly RemoteValueCodec<TIn> _input;
    private readonly RemoteValueCodec<TOut> _output;
    private readonly RemoteValueBuffer _results = new(256);
    private readonly List<ItemError> _errors = [];
    private readonly Action<int, Exception> _failResult;
    private TIn[] _inputs = new TIn[16];
    private Exception?[] _inputErrors = new Exception?[16];
    private TOut[] _outputs = new TOut[16];
    private int[] _outputAt = new int[16];
    private int _succeeded;
    private int _ran;

    public WorkInvoker(WorkDescriptor descriptor)
    {
        var instance = descriptor.CreateInstance();
        _sync = instance as IWork<TIn, TOut>;
        _async = instance as IAsyncWork<TIn, TOut>;
        _input = new RemoteValueCodec<TIn>(descriptor.InputTypeInfo, allowRaw: false);
        _output = new RemoteValueCodec<TOut>(descriptor.OutputTypeInfo, allowRaw: false);
        _failResult = FailResult;
    }

    public override bool IsAsync => _sync is null;

    public override BatchResponse Run(BatchRequest request, string silo, CancellationToken cancellationToken)
    {
        var cpuStart = CpuTime.CurrentThread?.Ticks ?? -1;
        Begin(request);
        for (var i = 0; i < request.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (!ReadInput(i))
            {
                continue;
            }

            TOut value;
            try
            {
                value = _sync!.Execute(_inputs[i]);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Fail(i, e);
                continue;
            }

            Succeed(i, value);
        }

        var cpuEnd = CpuTime.CurrentThread?.Ticks ?? -1;
        return Finish(silo, cpuStart >= 0 && cpuEnd >= 0 ? cpuEnd - cpuStart : -1);
    }

    public override async Task<BatchResponse> RunAsync(BatchRequest request, string silo, CancellationToken cancellationToken)
    {
        Begin(request);
        for (var i = 0; i < request.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (!ReadInput(i))
            {
                continue;
            }

            TOut value;
            try
            {
                value = await _async!.ExecuteAsync(_inputs[i], cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Fail(i, e);
                continue;
            }

            Succeed(i, value);
        }

        // Asynchronous work may hop threads, so its CPU time cannot be read from one thread's clock.
        return Finish(silo, -1);
    }

    private void Begin(BatchRequest request)
    {
        var count = request.Count;
        if (_inputs.Length < count)
        {
            _inputs = new TIn[count];
            _inputErrors = new Exception?[count];
            _outputs = new TOut[count];
            _outputAt = new int[count];
        }

        _errors.Clear();
        _succeeded = 0;
        _ran = 0;
        try
        {
            _input.Read(request.Items, count, _inputs, _inputErrors);
        }
        catch (RemoteFormatException e)
        {
            throw new InvalidOperationException($"A batch's items are malformed: {e.Message}", e);
        }
    }

    private bool ReadInput(int offset)
    {
        if (_inputErrors[offset] is not { } unreadable)
        {
            return true;
        }

        // An empty value is one the engine could not serialize: it reports that failure itself, in place of this one.
        Fail(offset, new NotSupportedException($"The input could not be deserialized on the silo as {typeof(TIn).FullName}: {unreadable.Message}", unreadable));
        return false;
    }

    private void Succeed(int offset, TOut value)
    {
        _outputAt[_succeeded] = offset;
        _outputs[_succeeded++] = value;
        _ran = offset + 1;
    }

    private void Fail(int offset, Exception exception)
    {
        _errors.Add(new ItemError { Offset = offset, Error = RemoteError.From(exception) });
        _ran = offset + 1;
    }

    // A result that cannot be serialized fails its item.
    private void FailResult(int offset, Exception error) =>
        _errors.Add(new ItemError { Offset = offset, Error = RemoteError.From(new NotSupportedException($"The result could not be serialized on the silo as {typeof(TOut).FullName}: {error.Message}", error)) });

    private BatchResponse Finish(string silo, long cpuTicks)
    {
        _results.Clear();
        if (_succeeded > 0)
        {
            var written = _output.WriteSucceeded(_results, _outputs, _outputAt, _succeeded, _failResult);
            if (written != _succeeded)
            {
                _succeeded = written;
                _errors.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
            }
        }

        var response = new BatchResponse
        {
            Silo = silo,
            Ran = _ran,
            Results = _succeeded > 0 ? _results.ToArray() : [],
            Errors = _errors.Count > 0 ? [.. _errors] : null,
            CpuTicks = cpuTicks,
        };
        Array.Clear(_inputs, 0, _inputs.Length);
        Array.Clear(_outputs, 0, _succeeded);
        return response;
    }
}
