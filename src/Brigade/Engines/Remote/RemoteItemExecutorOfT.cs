using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;
using Brigade.Diagnostics;
using Brigade.Internal;

namespace Brigade.Engines.Remote;

/// <summary>The typed <see cref="RemoteItemExecutor"/> for work with input <typeparamref name="TIn"/> and result <typeparamref name="TOut"/>.</summary>
internal sealed class RemoteItemExecutor<TIn, TOut> : RemoteItemExecutor
{
    private readonly object _instance;
    private readonly Func<TIn, TOut>? _sync;
    private readonly Func<TIn, CancellationToken, ValueTask<TOut>>? _async;
    private readonly ItemPolicy? _policy;
    private readonly ItemAttempts? _attempts;
    private readonly RemoteValueCodec<TIn> _input;
    private readonly RemoteValueCodec<TOut> _output;
    private readonly RemoteValueBuffer _values = new(256);
    private readonly List<RemoteItemFailure> _failures = [];
    private readonly Action<int, Exception> _failResult;

    private TIn[] _inputs = new TIn[16];
    private Exception?[] _inputErrors = new Exception?[16];
    private int _count;
    private bool _anyUnreadable;

    // The current chunk: each item's status, the failures in item order, and the results of the items that succeeded.
    private byte[] _statuses = new byte[16];
    private TOut[] _outputs = new TOut[16];
    private int[] _outputAt = new int[16];
    private int _chunkOffset;
    private int _chunkCount;
    private int _succeeded;
    private long _chunkStart;
    private long _chunkCpuStart;
    private long _chunkRunQueueStart;
    private int _chunkThread;
    private readonly RunQueueClock _runQueue = new();
    private IRemoteResultWriter? _writer;
    private RemoteBatchControl _control;
    private Exception? _writeError;

    public RemoteItemExecutor(WorkDescriptor descriptor, ItemPolicySpec? policy, bool allowRaw)
        : this(CreateInstance(descriptor), descriptor.InputType, () => descriptor.InputTypeInfo, descriptor.OutputType, () => descriptor.OutputTypeInfo, policy, allowRaw)
    {
    }

    private RemoteItemExecutor(object instance, Type inputType, Func<JsonTypeInfo> input, Type outputType, Func<JsonTypeInfo> output, ItemPolicySpec? policy, bool allowRaw)
    {
        _instance = instance;
        if (_instance is IWork<TIn, TOut> sync)
        {
            _sync = sync.Execute;
        }
        else
        {
            _async = ((IAsyncWork<TIn, TOut>)_instance).ExecuteAsync;
        }

        if (policy is not null)
        {
            _policy = ItemPolicy.For(policy.ToOptions(), CancellationToken.None);
            _attempts = new ItemAttempts();
        }

        _input = new RemoteValueCodec<TIn>(inputType, input, allowRaw);
        // A result of a type derived from the work's declared one, with members it lacks, fails its item rather than arrive
        // without them (lib58: a Circle returned as Shape came back a plain Shape, reported as a success).
        _output = new RemoteValueCodec<TOut>(outputType, output, allowRaw, refuseLostMembers: true);
        _failResult = FailResult;
    }

    /// <summary>
    /// The executor for a work instance whose types are known at compile time: no <see cref="WorkDescriptor"/> and no
    /// reflection, so a native (ahead-of-time compiled) worker can build it. The metadata is resolved only when a value
    /// first needs it (never for values that travel as raw bytes).
    /// </summary>
    /// <param name="instance">The work: an <see cref="IWork{TIn, TOut}"/> or an <see cref="IAsyncWork{TIn, TOut}"/>.</param>
    /// <param name="input">Resolves the metadata of <typeparamref name="TIn"/>: the same the engine writes the inputs with.</param>
    /// <param name="output">Resolves the metadata of <typeparamref name="TOut"/>: the same the engine reads the results with.</param>
    /// <param name="policy">The run's item timeout and retry, or <see langword="null"/>.</param>
    /// <param name="allowRaw">Whether values may travel as raw memory (one machine only; see <see cref="RemoteValueCodec{T}"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="instance"/> is not a work over <typeparamref name="TIn"/> and <typeparamref name="TOut"/>.</exception>
    public static RemoteItemExecutor<TIn, TOut> ForInstance(object instance, Func<JsonTypeInfo<TIn>> input, Func<JsonTypeInfo<TOut>> output, ItemPolicySpec? policy, bool allowRaw)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (instance is not IWork<TIn, TOut> and not IAsyncWork<TIn, TOut>)
        {
            throw new ArgumentException($"{instance.GetType().FullName} implements neither IWork<{typeof(TIn).Name}, {typeof(TOut).Name}> nor IAsyncWork<{typeof(TIn).Name}, {typeof(TOut).Name}>.", nameof(instance));
        }

        return new RemoteItemExecutor<TIn, TOut>(instance, typeof(TIn), input, typeof(TOut), output, policy, allowRaw);
    }

    private static object CreateInstance(WorkDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor.CreateInstance();
    }

    public override bool IsAsync => _async is not null || _policy is { Waits: true };

    public override int ReadInputs(ReadOnlySpan<byte> source, int count)
    {
        if (_inputs.Length < count)
        {
            _inputs = new TIn[count];
            _inputErrors = new Exception?[count];
        }

        var read = _input.Read(source, count, _inputs, _inputErrors);
        _count = count;
        _anyUnreadable = Array.FindIndex(_inputErrors, 0, count, static e => e is not null) >= 0;
        return read;
    }

    public override void Run(IRemoteResultWriter writer, RemoteBatchControl control)
    {
        Begin(writer, control);
        var token = control.Token;
        var sink = new ChunkSink(this);
        for (var start = 0; NextSegment(ref start, out var end, token); start = end)
        {
            var items = _inputs.AsSpan(start, end - start);
            if (_policy is not null)
            {
                ItemLoop.Run<TIn, TOut, ResilientWork<TIn, TOut>, ChunkSink>(items, new(_policy, _sync, _async, _attempts!, token), ref sink, token);
            }
            else if (_sync is not null)
            {
                ItemLoop.Run<TIn, TOut, SyncWork<TIn, TOut>, ChunkSink>(items, new(_sync), ref sink, token);
            }
            else
            {
                ItemLoop.Run<TIn, TOut, BlockingAsyncWork<TIn, TOut>, ChunkSink>(items, new(_async!, token), ref sink, token);
            }
        }

        End();
    }

    public override async Task RunAsync(IRemoteResultWriter writer, RemoteBatchControl control)
    {
        if (!IsAsync)
        {
            Run(writer, control);
            return;
        }

        Begin(writer, control);
        var token = control.Token;
        var sink = new ChunkSink(this);
        for (var start = 0; NextSegment(ref start, out var end, token); start = end)
        {
            var items = _inputs.AsMemory(start, end - start);
            if (_policy is not null)
            {
                await ItemLoop.RunAsync<TIn, TOut, ResilientAsyncWork<TIn, TOut>, ChunkSink>(items, new(_policy, _sync, _async, _attempts!), sink, token).ConfigureAwait(false);
            }
            else
            {
                await ItemLoop.RunAsync<TIn, TOut, AsyncWork<TIn, TOut>, ChunkSink>(items, new(_async!), sink, token).ConfigureAwait(false);
            }
        }

        End();
    }

    // The items run in segments between inputs that could not be read (there are none, and one segment, unless the
    // engine could not serialize an input). Before each segment: stop if the last one was stopped (the token, or the
    // transport failed: rethrown here), fail the unreadable input at `start` if any, and find where the segment ends.
    private bool NextSegment(ref int start, out int end, CancellationToken token)
    {
        end = start;
        ThrowIfWriteFailed();
        if (Position < start)
        {
            return false;
        }

        while (start < _count && !token.IsCancellationRequested)
        {
            end = NextUnreadable(start);
            if (end > start)
            {
                return true;
            }

            // An input that could not be read fails its item (the engine reports its own reason when it could not send it).
            var unreadable = _inputErrors[start]!;
            Record(new InvalidDataException($"The input could not be deserialized as {typeof(TIn).FullName}: {ExceptionText.Message(unreadable)}", unreadable), attempts: 1);
            if (!Continue())
            {
                ThrowIfWriteFailed();
            }

            start++;
        }

        return false;
    }

    // How many items of the batch have finished (succeeded or failed).
    private int Position => _chunkOffset + _chunkCount;

    private int NextUnreadable(int start)
    {
        if (!_anyUnreadable)
        {
            return _count;
        }

        var at = Array.FindIndex(_inputErrors, start, _count - start, static e => e is not null);
        return at < 0 ? _count : at;
    }

    private void Begin(IRemoteResultWriter writer, RemoteBatchControl control)
    {
        _writer = writer;
        _control = control;
        _writeError = null;
        _values.ReferencesLargeValues = ReferencesLargeValues;
        if (_statuses.Length < _count)
        {
            _statuses = new byte[_count];
            _outputs = new TOut[_count];
            _outputAt = new int[_count];
        }

        BeginChunk(0);
    }

    private void End()
    {
        Flush(final: true);
        Array.Clear(_inputs, 0, _count);
        _writer = null;
    }

    private void BeginChunk(int offset)
    {
        _chunkOffset = offset;
        _chunkCount = 0;
        _succeeded = 0;
        _failures.Clear();

        // The run-queue reading first: a thread's first one opens its procfs file (milliseconds in a young worker), which
        // must not fall inside the chunk's wall and CPU (as AutoWorker.OnBatchStart, review 48).
        _chunkThread = Environment.CurrentManagedThreadId;
        _chunkRunQueueStart = RunQueueTicks();
        _chunkStart = Stopwatch.GetTimestamp();
        _chunkCpuStart = CpuTicks();
    }

    private long CpuTicks() => _control.Cpu == RemoteCpuClock.Process
        ? Environment.CpuUsage.TotalTime.Ticks
        : IsAsync ? -1 : ThreadCpuTime.NowTicks();

    // The run-queue wait of the thread running the chunk, read where the chunk's CPU is the whole process's (a worker
    // process runs one batch at a time, on one thread when the work is synchronous): that thread's waits for a core are
    // in the chunk's wall and nowhere in its CPU. Asynchronous items run on whichever threads their continuations find, so
    // no one thread's wait is theirs. Two procfs reads (~3 µs each) per chunk, at its start and end, beside the CPU clock's system calls.
    private long RunQueueTicks()
    {
        if (_control.Cpu != RemoteCpuClock.Process || IsAsync || !ThreadSchedStat.IsSupported)
        {
            return -1;
        }

        return _runQueue.ReadCurrentThread(out _);
    }

    private void Succeed(TOut value)
    {
        _statuses[_chunkCount] = Succeeded;
        _outputAt[_succeeded] = _chunkCount;
        _outputs[_succeeded++] = value;
        _chunkCount++;
    }

    private void Record(Exception error, int attempts)
    {
        _statuses[_chunkCount] = Failed;
        _failures.Add(new RemoteItemFailure(Position, RemoteError.From(error), attempts));
        _chunkCount++;
    }

    // A result that cannot be serialized fails its item (offset within the chunk).
    private void FailResult(int offset, Exception error)
    {
        _statuses[offset] = Failed;
        _failures.Add(new RemoteItemFailure(_chunkOffset + offset, RemoteError.From(new InvalidDataException($"The result could not be serialized as {typeof(TOut).FullName}: {SerializationErrorText.Describe(error)}", error)), 1));
    }

    // Between items: send a chunk when one is due. A transport failure stops the loop and is rethrown after it, never
    // taken for the next item's failure.
    private bool Continue()
    {
        var position = Position;
        if (position >= _count || !(_control.FlushEachItem || Stopwatch.GetTimestamp() - _chunkStart >= _control.FlushIntervalTicks))
        {
            return true;
        }

        try
        {
            Flush(final: false);
            BeginChunk(position);
            return true;
        }
        catch (Exception e)
        {
            _writeError = e;
            return false;
        }
    }

    private void ThrowIfWriteFailed()
    {
        if (_writeError is { } error)
        {
            _writeError = null;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    private void Flush(bool final)
    {
        // Results first: one that cannot be serialized turns its item into a failure.
        ForgetValues();
        var written = _output.WriteSucceeded(_values, _outputs, _outputAt, _succeeded, _failResult);
        if (written != _succeeded)
        {
            _succeeded = written;
            _failures.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
        }

        var cpuEnd = CpuTicks();
        var cpu = _chunkCpuStart >= 0 && cpuEnd >= 0 ? cpuEnd - _chunkCpuStart : -1;
        var runQueueStart = _chunkRunQueueStart;
        var runQueueEnd = Environment.CurrentManagedThreadId == _chunkThread ? RunQueueTicks() : -1;
        var runQueue = runQueueStart >= 0 && runQueueEnd >= runQueueStart ? runQueueEnd - runQueueStart : -1;
        _writer!.WriteChunk(new RemoteResultChunk(
            _chunkOffset,
            _chunkCount,
            final,
            _statuses.AsSpan(0, _chunkCount),
            _failures,
            _values.WrittenSpan,
            _values.References,
            _values.Length + _values.ReferencedBytes,
            Stopwatch.GetElapsedTime(_chunkStart).Ticks,
            cpu,
            runQueue,
            reportsAttempts: _policy is not null));
        Array.Clear(_outputs, 0, _succeeded);

        // Written: a huge chunk's values (hundreds of megabytes) are let go now, not kept until the next batch of a run
        // or an idle pooled worker's next run (lib56), unless the transport keeps the buffer while large chunks keep
        // coming and gives it back when idle (a worker process; review 63: each 10 MB string result cost a fresh 30 MB
        // buffer, Utf8JsonWriter asking for three bytes a character).
        ForgetValues();
    }

    private void ForgetValues()
    {
        if (KeepsLargeBuffers)
        {
            _values.Reset();
        }
        else
        {
            _values.Clear();
        }
    }

    internal override long RetainedBufferBytes => _values.Capacity;

    internal override long ReleaseBuffers()
    {
        var held = _values.Capacity;
        _values.Clear();
        return _values.Capacity < held ? held : 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

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

    /// <summary>The remote sink of <see cref="ItemLoop"/>: records each outcome in the current chunk and sends chunks between items.</summary>
    private readonly struct ChunkSink(RemoteItemExecutor<TIn, TOut> executor) : IAsyncItemSink<TOut>
    {
        public void Succeeded(int offset, TOut value) => executor.Succeed(value);

        public void Failed(int offset, Exception error) => executor.Record(error, executor._attempts?.ForFailure ?? 1);

        public bool Continue(int done) => executor.Continue();

        public ValueTask EndAsync(int ran) => ValueTask.CompletedTask;

        public ValueTask EndAsync(int ran, bool awaited) => ValueTask.CompletedTask;

        public ItemRace<TOut>? Race() => null;
    }
}
