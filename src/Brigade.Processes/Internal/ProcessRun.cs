using Brigade.Processes.Protocol;

namespace Brigade.Processes.Internal;

/// <summary>
/// One run on the process engine: a loop per worker, each on a dedicated thread (it blocks on its worker's pipe, so
/// it holds no pool thread hostage and answers in microseconds). A loop takes a batch, sends it, delivers each chunk
/// of results as it arrives, and, when its worker dies, starts a replacement and retries what was not reported.
/// </summary>
/// <remarks>
/// <para>Retries stay in the loop whose worker died, so no other loop can run out of work while retries are pending.
/// A batch that loses its worker is retried with a result chunk after every item, so a second death names the item
/// that was running. That item is retried alone; when it has taken down <see cref="ProcessEngineOptions.MaxCrashesPerItem"/>
/// workers it is reported failed (<see cref="WorkerCrashedException"/>) and the run goes on. An item that times out
/// in that mode is reported failed at once (<see cref="TimeoutException"/>): a hang is rarely a fluke, and another
/// try would cost another full timeout.</para>
/// </remarks>
internal sealed class ProcessRun<TIn, TOut>
{
    // Mid-batch result chunks: at most this long apart, so a crash loses little and timeouts stay precise.
    private static readonly TimeSpan MaxFlushInterval = TimeSpan.FromMilliseconds(50);

    // Added to the item timeout before the watchdog fires: results may wait up to one flush interval, plus IPC.
    private static readonly TimeSpan TimeoutSlack = TimeSpan.FromMilliseconds(25);

    private readonly ProcessEngine _engine;
    private readonly EngineJob<TIn, TOut> _job;
    private readonly WorkDescriptor _descriptor;
    private readonly WorkerLauncher _launcher;
    private readonly ProcessEngineOptions _options;
    private readonly int _workId;
    private readonly TimeSpan _flushInterval;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;
    private int _running;

    public ProcessRun(ProcessEngine engine, EngineJob<TIn, TOut> job, WorkDescriptor descriptor, WorkerLauncher launcher, int workId)
    {
        _engine = engine;
        _job = job;
        _descriptor = descriptor;
        _launcher = launcher;
        _options = engine.Options;
        _workId = workId;
        _flushInterval = _options.ItemTimeout is { } timeout && timeout / 4 < MaxFlushInterval ? timeout / 4 : MaxFlushInterval;
    }

    public Task Start()
    {
        var warm = _engine.Pool.IdleCount(_descriptor.AssemblyPath);
        var width = _job.DegreeOfParallelism;
        _job.Plan = $"{width} worker process{(width == 1 ? "" : "es")} ({Math.Min(warm, width)} warm), {_descriptor.Type.Name} in each, " +
            (_job.Options.BatchSize is { } size ? $"batches of {size}" : $"batches sized to ~{_options.TargetBatchDuration.TotalMilliseconds:0.#} ms from the observed cost per item");
        Launch();
        return _completion.Task;
    }

    private void Launch()
    {
        int id;
        while (true)
        {
            id = Volatile.Read(ref _started);
            if (id >= _job.DegreeOfParallelism)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _started, id + 1, id) == id)
            {
                break;
            }
        }

        Interlocked.Increment(ref _running);
        var thread = new Thread(() => Loop(id)) { IsBackground = true, Name = $"brigade-process-loop-{id}" };
        thread.Start();
    }

    private void Loop(int id)
    {
        var state = new LoopState(_job.CreateWorker(_options.TargetBatchDuration, $"process {id}"), _descriptor, _options.TargetBatchDuration);
        try
        {
            Run(state);
        }
        catch (Exception e)
        {
            _job.Fail(e);
            if (state.Process is { } broken)
            {
                state.Process = null;
                _engine.Pool.Discard(broken);
            }
        }
        finally
        {
            try
            {
                Finish(state);
            }
            finally
            {
                if (Interlocked.Decrement(ref _running) == 0)
                {
                    _completion.TrySetResult();
                }
            }
        }
    }

    private void Run(LoopState state)
    {
        var launchedNext = false;
        while (true)
        {
            Pending pending;
            if (state.Retries.Count > 0)
            {
                if (_job.CancellationToken.IsCancellationRequested)
                {
                    return;
                }

                pending = state.Retries.Dequeue();
            }
            else
            {
                state.Worker.PreferredBatchSize = NextBatchSize(state);
                var batch = _job.TakeBatch(state.Worker);
                if (batch.IsEmpty)
                {
                    return;
                }

                pending = new Pending(batch, FlushEachItem: false);
                if (!launchedNext)
                {
                    // Widen as soon as there is work, before this loop waits for its own worker to start.
                    launchedNext = true;
                    Launch();
                }
            }

            state.Current = pending;
            state.CurrentDelivered = 0;
            EnsureWorker(state);
            var completed = RunBatch(state, pending);
            state.Current = null;
            if (completed && state.Process is { } process && ShouldRecycle(process))
            {
                state.Process = null;
                process.Release(_workId);
                _engine.Pool.Recycle(process);
            }
        }
    }

    private int NextBatchSize(LoopState state)
    {
        var size = state.Sizer.Next;
        if (_options.MaxItemsPerWorker is { } max)
        {
            var used = state.Process?.ItemsRun ?? 0;
            size = (int)Math.Clamp(max - used, 1, size);
        }

        return size;
    }

    private bool ShouldRecycle(WorkerProcess process) =>
        (_options.MaxItemsPerWorker is { } maxItems && process.ItemsRun >= maxItems) ||
        (_options.MaxWorkerMemoryBytes is { } maxMemory && process.LastWorkingSet > maxMemory);

    private void EnsureWorker(LoopState state)
    {
        if (state.Process is { } current && !current.HasExited)
        {
            return;
        }

        if (state.Process is { } dead)
        {
            state.Process = null;
            _engine.Pool.Discard(dead);
        }

        var process = _engine.Pool.Acquire(_launcher, _descriptor.AssemblyPath, out _);
        state.Process = process;
        state.Worker.Location = process.Location;
        if (!process.IsPrepared(_workId))
        {
            process.Prepare(_workId, _descriptor, _flushInterval, _options.MaxWorkerMemoryBytes is not null, _options.StartTimeout);
        }
    }

    // Returns true when the batch ended normally; false when the worker died (what was not reported is requeued).
    private bool RunBatch(LoopState state, Pending pending)
    {
        var process = state.Process!;
        var batch = pending.Batch;
        var batchId = process.NextBatchId();
        var frame = state.Codec.EncodeBatch(_workId, batchId, pending.FlushEachItem ? WireFormat.BatchFlushEachItem : (byte)0, batch.Items.Span, out var inputFailures);
        state.EnsureValues(batch.Count);
        var start = _job.GetTimestamp();
        var chunkStart = start;
        var delivered = 0;
        using var registration = _job.CancellationToken.Register(static s =>
        {
            var (worker, id) = ((WorkerProcess, int))s!;
            worker.TrySendCancel(id);
        }, (process, batchId));
        try
        {
            process.Send(frame);
            ArmItemTimeout(process);
            while (true)
            {
                var (type, payload) = process.Read();
                if (type == MessageType.Fatal)
                {
                    throw new ProtocolException($"Worker {process.Location} stopped: {new PayloadReader(payload.Span).ReadString()}");
                }

                if (type != MessageType.Results)
                {
                    throw new ProtocolException($"Worker {process.Location} sent {type} while running a batch.");
                }

                state.Failures.Clear();
                var chunk = state.Codec.DecodeResults(payload.Span, batchId, batch.StartIndex, batch.Count, delivered, state.Values, state.Failures, inputFailures, process.Location);
                if (chunk.Count > 0)
                {
                    var part = new ItemBatch<TIn>(batch.StartIndex + delivered, batch.Items.Slice(delivered, chunk.Count));
                    Deliver(state.Worker, part, chunk.Count, state.Values.AsMemory(0, chunk.Count), state.Failures, chunkStart, chunk.CpuTime);
                }

                delivered += chunk.Count;
                state.CurrentDelivered = delivered;
                process.ItemsRun += chunk.Count;
                chunkStart = _job.GetTimestamp();
                if (chunk.Final)
                {
                    process.Disarm();
                    if (chunk.WorkingSet >= 0)
                    {
                        process.LastWorkingSet = chunk.WorkingSet;
                    }

                    if (delivered < batch.Count)
                    {
                        // Stopped by cancellation: the rest never started.
                        state.Current = null;
                        NotRun(state.Worker, batch, delivered);
                    }

                    state.Sizer.Observe(delivered, TimeSpan.FromSeconds((double)(chunkStart - start) / TimeProvider.System.TimestampFrequency));
                    return true;
                }

                ArmItemTimeout(process);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ObjectDisposedException or ProtocolException)
        {
            process.Disarm();

            // A torn frame from a worker that is dying is a crash; from a live worker it is a broken protocol.
            if (e is ProtocolException && !process.ExitsWithin(TimeSpan.FromMilliseconds(500)))
            {
                throw;
            }

            var exit = process.WaitForDeath();
            state.Process = null;
            _engine.Pool.Discard(process);
            if (exit.Reason == KillReason.Disposed)
            {
                throw new ObjectDisposedException(nameof(ProcessEngine), "The process engine was disposed during the run.");
            }

            state.Current = null;
            OnWorkerDied(state, pending, delivered, exit);
            return false;
        }
    }

    private void ArmItemTimeout(WorkerProcess process)
    {
        if (_options.ItemTimeout is { } timeout)
        {
            process.Arm(timeout + _flushInterval + TimeoutSlack, KillReason.ItemTimeout);
        }
    }

    private void OnWorkerDied(LoopState state, Pending pending, int delivered, WorkerExit exit)
    {
        var batch = pending.Batch;
        var timedOut = exit.Reason == KillReason.ItemTimeout;
        _engine.Pool.CountCrash(timedOut);
        if (delivered >= batch.Count)
        {
            return;
        }

        var rest = batch.Items[delivered..].ToArray();
        var restStart = batch.StartIndex + delivered;
        if (!pending.FlushEachItem && rest.Length > 1)
        {
            // Which item? Run them again reporting after each one: the next death names it.
            Requeue(state, new ItemBatch<TIn>(restStart, rest));
            return;
        }

        // Every earlier item was reported (or it was the only one left), so the first unreported one was running.
        var culprit = restStart;
        var culpritItem = new ItemBatch<TIn>(culprit, rest.AsMemory(0, 1));
        var others = rest.Length > 1 ? new ItemBatch<TIn>(culprit + 1, rest.AsMemory(1)) : default;
        if (timedOut)
        {
            Isolate(state, culpritItem, new TimeoutException(
                $"Item {culprit} ran longer than the item timeout ({_options.ItemTimeout!.Value.TotalSeconds:0.###} s); its worker ({exit.Pid}) was killed and replaced."));
        }
        else
        {
            var crashes = state.Crashes[culprit] = state.Crashes.GetValueOrDefault(culprit) + 1;
            if (crashes >= _options.MaxCrashesPerItem)
            {
                Isolate(state, culpritItem, new WorkerCrashedException(
                    $"Item {culprit} took down {crashes} worker process{(crashes == 1 ? "" : "es")}; the last one, {exit.Describe()}",
                    exit.ExitCode,
                    exit.Signal,
                    crashes,
                    $"pid {exit.Pid}",
                    exit.StderrTail));
            }
            else
            {
                Requeue(state, culpritItem);
            }
        }

        if (!others.IsEmpty)
        {
            Requeue(state, others);
        }
    }

    private void Requeue(LoopState state, ItemBatch<TIn> batch)
    {
        state.Retries.Enqueue(new Pending(batch, FlushEachItem: true));
        _engine.Pool.CountRetried(batch.Count);
    }

    private void Isolate(LoopState state, ItemBatch<TIn> item, Exception error)
    {
        _engine.Pool.CountIsolated();
        Deliver(state.Worker, item, 1, new TOut[1], [new ItemFailure(item.StartIndex, error)], _job.GetTimestamp(), null);
    }

    private void Deliver(EngineWorker worker, ItemBatch<TIn> batch, int ran, ReadOnlyMemory<TOut> values, IReadOnlyList<ItemFailure>? failures, long start, TimeSpan? cpu)
    {
        var delivery = _job.CompleteBatchAsync(worker, batch, ran, values, failures is { Count: > 0 } ? failures : null, start, cpu);
        if (!delivery.IsCompletedSuccessfully)
        {
            delivery.AsTask().GetAwaiter().GetResult();
        }
    }

    private void NotRun(EngineWorker worker, ItemBatch<TIn> batch, int from) =>
        Deliver(worker, new ItemBatch<TIn>(batch.StartIndex + from, batch.Items[from..]), 0, ReadOnlyMemory<TOut>.Empty, null, _job.GetTimestamp(), null);

    // Everything taken but not run counts as not run, and a healthy worker goes back to the pool.
    private void Finish(LoopState state)
    {
        if (state.Current is { } current)
        {
            state.Current = null;
            NotRun(state.Worker, current.Batch, state.CurrentDelivered);
        }

        while (state.Retries.TryDequeue(out var left))
        {
            NotRun(state.Worker, left.Batch, 0);
        }

        if (state.Process is { } process)
        {
            state.Process = null;
            process.Release(_workId);
            _engine.Pool.Return(process);
        }

        state.Codec.Dispose();
    }

    private readonly record struct Pending(ItemBatch<TIn> Batch, bool FlushEachItem);

    private sealed class LoopState(EngineWorker worker, WorkDescriptor descriptor, TimeSpan target)
    {
        public EngineWorker Worker { get; } = worker;

        public BatchCodec<TIn, TOut> Codec { get; } = new(descriptor);

        public BatchSizer Sizer { get; } = new(target);

        public Queue<Pending> Retries { get; } = new();

        public Pending? Current { get; set; }

        public int CurrentDelivered { get; set; }

        public Dictionary<long, int> Crashes { get; } = [];

        public List<ItemFailure> Failures { get; } = [];

        public TOut[] Values { get; private set; } = new TOut[16];

        public WorkerProcess? Process { get; set; }

        public void EnsureValues(int count)
        {
            if (Values.Length < count)
            {
                Values = new TOut[Math.Max(count, Values.Length * 2)];
            }
        }
    }
}
