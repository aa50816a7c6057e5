using System.Runtime.ExceptionServices;
using Brigade.Diagnostics;
using Brigade.Engines;
using Brigade.Internal;
using Brigade.Sinks;
using Brigade.Sources;

namespace Brigade;

/// <summary>
/// One run as an engine sees it: where to take batches of input from, how to run them, and where results go.
/// </summary>
/// <typeparam name="TIn">The input item type.</typeparam>
/// <typeparam name="TOut">The result type.</typeparam>
/// <remarks>
/// <para>An engine's whole job is to call <see cref="TakeBatchAsync(EngineWorker)"/> (or <see cref="TakeBatch(EngineWorker)"/>) from as many
/// workers as it wants, up to <see cref="DegreeOfParallelism"/>, and hand each batch to
/// <see cref="ExecuteBatchAsync"/> (or <see cref="ExecuteBatch"/>) until an empty batch says the input is
/// exhausted or the run is stopping. Ordering, failure accounting, cancellation checks, results and the report are
/// handled here, once, for every engine.</para>
/// <para>All members are safe to call from any number of workers at once.</para>
/// </remarks>
public sealed class EngineJob<TIn, TOut>
{
    private readonly ItemSource<TIn> _source;
    private readonly WorkFunction<TIn, TOut> _work;
    private readonly ResultSink<TOut> _sink;
    private readonly RunRecorder _recorder;

    // _leave trips when the caller is gone: their token (a cancel, their own timeouts) or a stream's reader leaving; _abort
    // also trips on an engine error; _stop also on the first failure under StopOnFirstFailure. Workers watch _stop; result
    // delivery only watches _abort, so results of items that already ran still reach a stream's reader after a stop. Only
    // _leave lets the run stop waiting for what ignores its token (an item abandoned after a grace, an input blocked in
    // MoveNext): after the run's own stops running items finish and keep their results (lib48).
    private readonly CancellationTokenSource _leave;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource _stop;

    private readonly RunFailures _failures;

    // RunOptions.ItemTimeout and ItemRetry; null (one check per batch) when neither is set.
    private readonly ItemPolicy? _policy;
    private ExceptionDispatchInfo? _fatal;
    private bool _fatalFromSource;

    // What watches every batch (race detector, progress watchdog); frozen before the engine starts, null when nothing does.
    private BatchHooks? _hooks;

    internal EngineJob(
        Engine engine,
        ItemSource<TIn> source,
        WorkFunction<TIn, TOut> work,
        ResultSink<TOut> sink,
        RunOptions options,
        int degreeOfParallelism,
        RunRecorder recorder,
        CancellationToken cancellationToken)
    {
        Engine = engine;
        _source = source;
        _work = work;
        _sink = sink;
        Options = options;
        DegreeOfParallelism = degreeOfParallelism;
        _recorder = recorder;
        _caller = cancellationToken;
        _leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _abort = CancellationTokenSource.CreateLinkedTokenSource(_leave.Token);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        _failures = new RunFailures(options.FailureMode, _stop);
        _policy = ItemPolicy.For(options, _stop.Token, cancellationToken);
        source.LeaveOn(_leave.Token);
    }

    /// <summary>Gets a token that trips when the run's caller is gone: the token it passed was cancelled, or a stream's
    /// reader left. Only this ends waits for what ignores the items' token (<see cref="ItemRace{TOut}"/>); the run's own
    /// stops (<see cref="CancellationToken"/>) do not.</summary>
    internal CancellationToken LeaveToken => _leave.Token;

    /// <summary>Gets the token the run's caller passed: when <see cref="LeaveToken"/> tripped and this did not, a stream's
    /// reader left (what an abandoned item's failure says, <see cref="ItemAbandonedException"/>).</summary>
    internal CancellationToken CallerToken => _caller;

    /// <summary>Gets the run's clock (<see cref="RunOptions.TimeProvider"/>).</summary>
    internal TimeProvider Time => Options.TimeProvider;

    /// <summary>Gets where the results go (for the progress and the report: what an ordered delivery waits for).</summary>
    internal ResultSink<TOut> Sink => _sink;

    /// <summary>Gets the engine running the job.</summary>
    public Engine Engine { get; }

    /// <summary>Gets the run's options (a snapshot taken when the run started).</summary>
    public RunOptions Options { get; }

    /// <summary>Gets the most workers the engine may run at once: the option, or the engine's default, capped by the item count.</summary>
    /// <remarks>Auto mode changes it when it re-plans; other engines see it fixed for the whole run.</remarks>
    public int DegreeOfParallelism { get; internal set; }

    /// <summary>Gets the run's report once the run has ended, also when it then throws an exception that carries none (an
    /// engine's own failure, such as a process engine disposed during the run): a stream keeps it on
    /// <see cref="RunStream{T}.Report"/> (lib44).</summary>
    internal RunReport? FinalReport { get; set; }

    /// <summary>Gets the number of input items, when the input knows it without being enumerated.</summary>
    public long? ItemCount => _source.Count;

    /// <summary>Gets how many items have been taken from the input so far.</summary>
    public long ItemsTaken => _source.Taken;

    /// <summary>Gets a token that trips when the run must start no more items: cancellation, a fatal error, or the first failure under <see cref="FailureMode.StopOnFirstFailure"/>.</summary>
    public CancellationToken CancellationToken => _stop.Token;

    /// <summary>Gets a stable name for the work (declaring type and method), for plans and labels.</summary>
    public string WorkName => _work.Name;

    /// <summary>Gets what identifies the work across processes: its assembly's build (MVID) and its method or type (see <see cref="WorkFunction{TIn, TOut}.Identity"/>).</summary>
    public string WorkIdentity => _work.Identity;

    /// <summary>Gets whether <see cref="WorkIdentity"/> names the work alone in every process (not a dynamic method), so plans may be remembered by it.</summary>
    internal bool HasStableWorkIdentity => _work.HasStableIdentity;

    /// <summary>
    /// Gets the type of the work object when the run was given one (<see cref="IWork{TIn, TOut}"/> or
    /// <see cref="IAsyncWork{TIn, TOut}"/>); <see langword="null"/> for delegates. Engines that run items in other
    /// processes or machines create their own instances of it there (see <see cref="WorkDescriptor"/>).
    /// </summary>
    public Type? WorkType => _work.WorkType;

    /// <summary>Gets the work object the caller passed (see <see cref="WorkType"/>); <see langword="null"/> for delegates.</summary>
    internal object? WorkInstance => _work.WorkInstance;

    /// <summary>Gets whether the work is asynchronous (<see cref="ValueTask{TResult}"/>-returning).</summary>
    public bool IsAsyncWork => _work.Async is not null;

    /// <summary>Gets whether taking items may wait for an asynchronous producer.</summary>
    public bool IsAsyncSource => _source.IsAsynchronous;

    /// <summary>Gets or sets a one-line explanation of how the engine planned the run, shown in the report.</summary>
    public string? Plan { get; set; }

    /// <summary>Gets how many items have finished (succeeded or failed) so far.</summary>
    public long Completed => _recorder.Totals().Ran;

    /// <summary>Gets how many items have failed so far.</summary>
    public long FailedCount => _recorder.Totals().Failed + _failures.CombineFailures;

    /// <summary>Gets or sets the plans auto mode made for the run, for the report.</summary>
    internal IReadOnlyList<Auto.AutoPlan>? AutoPlans { get; set; }

    /// <summary>Gets or sets the silos a cluster run lost and finished without (Brigade.Orleans' ClusterRun, once every
    /// worker has left), for the report: its plan's text and its losses both read them (<see cref="Reporting.LostSilo"/>).
    /// Empty for every other run.</summary>
    internal IReadOnlyList<Reporting.LostSilo> LostSilos { get; set; } = [];

    internal RunRecorder Recorder => _recorder;

    internal long CombineFailures => _failures.CombineFailures;

    internal long NotRunCount => _failures.NotRun;

    /// <summary>Gets how many items were stopped unfinished with the worker running them: a worker process that outlived a
    /// cancelled run's grace period is killed, and what it had taken and not reported counts as not run, though one of
    /// those items at least had started (the run's cancellation message says so).</summary>
    internal long StoppedInFlight => Interlocked.Read(ref _stoppedInFlight);

    /// <summary>Records <paramref name="items"/> taken by a worker that was stopped before reporting them (see
    /// <see cref="StoppedInFlight"/>); the engine reports them not run as well.</summary>
    /// <param name="items">How many.</param>
    internal void AddStoppedInFlight(long items) => Interlocked.Add(ref _stoppedInFlight, items);

    private long _stoppedInFlight;

    internal bool StoppedOnFailure => _failures.StoppedOnFailure;

    /// <summary>Gets whether the run ended before its input did: stopped (a failure under
    /// <see cref="FailureMode.StopOnFirstFailure"/>, the reader gone, cancelled) or with items of a taken batch never run.</summary>
    internal bool StoppedEarly => Stopping || _failures.NotRun > 0;

    internal ExceptionDispatchInfo? Fatal => _fatal;

    internal bool FatalFromSource => _fatalFromSource;

    internal CancellationToken AbortToken => _abort.Token;

    /// <summary>Creates a worker that records its batches in the run's report and sizes them adaptively.</summary>
    /// <param name="targetBatchDuration">How long the engine would like a batch to take: long enough to amortize its per-batch cost, short enough to balance load.</param>
    /// <param name="name">A readable name; defaults to <c>worker N</c>.</param>
    /// <returns>The worker.</returns>
    public EngineWorker CreateWorker(TimeSpan targetBatchDuration, string? name = null) => _recorder.CreateWorker(name, targetBatchDuration);

    /// <summary>Gets a timestamp on the run's clock, for <see cref="EngineWorker.RecordBatch"/>.</summary>
    /// <returns>The timestamp.</returns>
    public long GetTimestamp() => _recorder.Clock.Now();

    /// <summary>Gets the time since the run started, on the clock of the run's timeline.</summary>
    /// <returns>The time since the start.</returns>
    internal TimeSpan SinceStart() => _recorder.Clock.SinceStart(_recorder.Clock.Now());

    /// <summary>Gets the size of the next batch for <paramref name="worker"/>: <see cref="RunOptions.BatchSize"/> when set,
    /// otherwise the worker's adaptive size, capped so that the remaining items still spread over every worker.</summary>
    /// <param name="worker">The worker about to take a batch.</param>
    /// <returns>The batch size, at least 1.</returns>
    public int GetBatchSize(EngineWorker worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (Options.BatchSize is { } fixedSize)
        {
            return fixedSize;
        }

        var size = worker.PreferredBatchSize;

        // Near the end, smaller batches keep every worker busy until the last item (guided scheduling); a single
        // worker has no one to balance with, and would only pay more batch overhead.
        if (_source.Count is { } total && DegreeOfParallelism > 1)
        {
            var remaining = total - _source.Taken;
            var share = remaining / (4L * DegreeOfParallelism);
            size = (int)Math.Max(1, Math.Min(size, share));
        }

        return size;
    }

    /// <summary>Takes the next batch for <paramref name="worker"/>, blocking the thread if the input is asynchronous.</summary>
    /// <param name="worker">The worker taking the batch.</param>
    /// <returns>The batch; empty when the input is exhausted or the run is stopping.</returns>
    public ItemBatch<TIn> TakeBatch(EngineWorker worker) => Take(GetBatchSize(worker));

    /// <summary>Takes the next batch for <paramref name="worker"/> without blocking a thread.</summary>
    /// <param name="worker">The worker taking the batch.</param>
    /// <returns>The batch; empty when the input is exhausted or the run is stopping.</returns>
    public ValueTask<ItemBatch<TIn>> TakeBatchAsync(EngineWorker worker)
    {
        var size = GetBatchSize(worker);
        return _source.IsAsynchronous ? TakeAsyncCore(size) : new ValueTask<ItemBatch<TIn>>(Take(size));
    }

    /// <summary>Gets whether a take now would not wait for the input's producer (an asynchronous input with items read
    /// ahead, or ended; any other input): a worker with a batch in flight takes more only then, so that it does not hold
    /// the results of that batch while it waits for the producer's next item (lib61).</summary>
    internal bool InputReady => _source.HasReady;

    /// <summary>
    /// Takes up to <paramref name="maxCount"/> items for <paramref name="worker"/>, blocking the thread if the input is
    /// asynchronous: for engines that size batches with a model of their own (such as worker processes, where a round
    /// trip costs tens of microseconds). Never more than <see cref="RunOptions.BatchSize"/> when that is set.
    /// </summary>
    /// <param name="worker">The worker taking the batch.</param>
    /// <param name="maxCount">The most items to take; at least 1.</param>
    /// <returns>The batch; empty when the input is exhausted or the run is stopping.</returns>
    public ItemBatch<TIn> TakeBatch(EngineWorker worker, int maxCount)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return Take(Math.Min(Options.BatchSize ?? maxCount, maxCount));
    }

    /// <summary>Takes up to <paramref name="maxCount"/> items for <paramref name="worker"/> without blocking a thread (see <see cref="TakeBatch(EngineWorker, int)"/>).</summary>
    /// <param name="worker">The worker taking the batch.</param>
    /// <param name="maxCount">The most items to take; at least 1.</param>
    /// <returns>The batch; empty when the input is exhausted or the run is stopping.</returns>
    public ValueTask<ItemBatch<TIn>> TakeBatchAsync(EngineWorker worker, int maxCount)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var size = Math.Min(Options.BatchSize ?? maxCount, maxCount);
        return _source.IsAsynchronous ? TakeAsyncCore(size) : new ValueTask<ItemBatch<TIn>>(Take(size));
    }

    private long _inputWaitTicks;

    /// <summary>Gets how long workers waited, in all, for an asynchronous input's next items (ticks): takes that did not
    /// complete at once, from the take to its items.</summary>
    internal long InputWaitTicks => Volatile.Read(ref _inputWaitTicks);

    private long _inputEndedTimestamp;

    /// <summary>Gets when a worker first found an asynchronous input's end (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp), or 0: the losses tell the workers' wait for an input whose writer closed it late (a FIFO, a pipe) from a
    /// slow start or a straggler (run64).</summary>
    internal long InputEndedTimestamp => Volatile.Read(ref _inputEndedTimestamp);

    // A take that came back empty on an asynchronous input while the run was not stopping found the input's end.
    private void NoteInputEnd(ItemBatch<TIn> batch)
    {
        if (batch.IsEmpty && _source.IsAsynchronous && !Stopping && _source.Failure is null)
        {
            Interlocked.CompareExchange(ref _inputEndedTimestamp, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
        }
    }

    // Checked before each take. _stop is linked to _abort, but a linked source is cancelled by a callback that runs
    // after the callbacks registered later (a sink's pending write among them): a worker woken by those could take
    // and run batch after batch before _stop itself reads as cancelled, reading an endless input far past the reader.
    // The caller's token first: its source reads as cancelled as soon as Cancel is called, before any callback runs, while
    // _leave (linked to it) only once its own callback has; callbacks registered after the run's run before it, and a slow
    // one let another worker take batch after batch of an endless input (review 58: 4,157 items run after a cancel at 500,
    // the bound 532, in a conformance case at load).
    private bool Stopping => _caller.IsCancellationRequested || _leave.IsCancellationRequested || _abort.IsCancellationRequested || _stop.IsCancellationRequested;

    private ItemBatch<TIn> Take(int size)
    {
        if (Stopping)
        {
            return default;
        }

        try
        {
            // A thread that takes from an asynchronous input blocks there until its next items come (dedicated threads,
            // worker processes' feeders): that is waiting for the input, not dispatch. Before run54 only the asynchronous
            // engines' takes were timed, and a slow input on Engine.Threads read "items are small for their dispatch cost".
            // Timed as they are: only the time the take blocked for the producer's next items, not a take that found items
            // or read them from the producer itself. (Counting the takes whose thread blocked, from its voluntary context
            // switches, missed the waits a loaded machine spent spinning and yielding, and counted a ready input's takes that
            // a GC suspended. Taking through TakeAsync and blocking on its task would resume every waited take on a pool
            // thread, so this engine, meant for work that blocks, would wait for the pool; the source times its own wait.)
            long waited = 0;
            var batch = _source.Take(size, _stop.Token, ref waited);
            if (waited > 0)
            {
                Interlocked.Add(ref _inputWaitTicks, waited);
            }

            NoteInputEnd(batch);
            CheckSourceFailure();
            return batch;
        }
        catch (Exception e)
        {
            OnSourceFailure(e);
            return default;
        }
    }

    private async ValueTask<ItemBatch<TIn>> TakeAsyncCore(int size)
    {
        if (Stopping)
        {
            return default;
        }

        try
        {
            // The time a worker waits for an asynchronous input's next items, when they are not there yet: Losses tells an
            // input slower than the work from the dispatch cost between batches (review 45).
            var take = _source.TakeAsync(size, _stop.Token);
            ItemBatch<TIn> batch;
            if (take.IsCompleted)
            {
                batch = await take.ConfigureAwait(false);
            }
            else
            {
                var waitStart = System.Diagnostics.Stopwatch.GetTimestamp();
                batch = await take.ConfigureAwait(false);
                Interlocked.Add(ref _inputWaitTicks, System.Diagnostics.Stopwatch.GetElapsedTime(waitStart).Ticks);
            }

            NoteInputEnd(batch);
            CheckSourceFailure();
            return batch;
        }
        catch (Exception e)
        {
            OnSourceFailure(e);
            return default;
        }
    }

    /// <summary>Runs a batch in this process on the calling thread, blocking it if the work is asynchronous.</summary>
    /// <param name="worker">The worker running the batch.</param>
    /// <param name="batch">The batch.</param>
    public void ExecuteBatch(EngineWorker worker, ItemBatch<TIn> batch)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (batch.IsEmpty)
        {
            return;
        }

        ValueTask delivered;
        try
        {
            delivered = RunInline(worker, batch);
        }
        finally
        {
            worker.LeaveBatchThread();
        }

        if (!delivered.IsCompletedSuccessfully)
        {
            delivered.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Runs a batch in this process; asynchronous work is awaited, synchronous work runs inline.</summary>
    /// <param name="worker">The worker running the batch.</param>
    /// <param name="batch">The batch.</param>
    /// <returns>A task that completes when the batch's results have been delivered.</returns>
    public ValueTask ExecuteBatchAsync(EngineWorker worker, ItemBatch<TIn> batch)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (batch.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        // Sync work runs inline, unless its retries wait: a pool thread is not blocked through a backoff. Once the batch
        // returns, finished or not, its synchronous part is over on this thread: the worker's wait sink must not stay on
        // a pool thread whose later work (another run's batch, the application's) is not this batch's (review 13, M1).
        try
        {
            return _work.Sync is not null && _policy is not { Waits: true } ? RunInline(worker, batch) : RunAwaitedAsync(worker, batch);
        }
        finally
        {
            worker.LeaveBatchThread();
        }
    }

    // The batch's scope, shared by every path: rent the results, enter the hooks, begin the worker's batch; run the
    // items with ItemLoop; end the worker's batch, exit the hooks, deliver.
    private Memory<TOut> BeginBatch(EngineWorker worker, ItemBatch<TIn> batch)
    {
        var values = _sink.RentValues(batch.StartIndex, batch.Count);
        _hooks?.Enter(worker);
        worker.BeginBatch();
        worker.EnterBatchThread();
        return values;
    }

    internal ValueTask EndBatch(EngineWorker worker, ItemBatch<TIn> batch, int ran, Memory<TOut> values, List<ItemFailure>? failures, bool awaited = false)
    {
        // Where the batch ended on its own thread; a batch that ends on another thread leaves its thread when it returns.
        worker.LeaveBatchThread();
        if (awaited)
        {
            worker.NoteAwaited();
        }

        worker.EndBatch(batch.StartIndex, ran, failures?.Count ?? 0);
        _hooks?.Exit(worker, ran);
        return FinishBatchAsync(batch, ran, values, failures);
    }

    // On the calling thread: for-each work calls the user's action directly and stores nothing; asynchronous work
    // blocks the thread only while an item's task is pending.
    private ValueTask RunInline(EngineWorker worker, ItemBatch<TIn> batch)
    {
        var values = BeginBatch(worker, batch);
        var items = batch.Items.Span;
        var token = _stop.Token;
        int ran;
        List<ItemFailure>? failures;
        if (_policy is not null)
        {
            var attempts = new ItemAttempts();
            var work = new ResilientWork<TIn, TOut>(_policy, _work.Sync, _work.Async, attempts, token, _leave.Token, _caller);
            var sink = new ValuesSink<TOut>(values.Span, _failures, batch.StartIndex, attempts);
            ran = ItemLoop.Run<TIn, TOut, ResilientWork<TIn, TOut>, ValuesSink<TOut>>(items, work, ref sink, token, _caller);
            failures = sink.Failures;
        }
        else if (_work.Action is { } action)
        {
            var work = new ActionWork<TIn>(action);
            var sink = new NoResultSink(_failures, batch.StartIndex);
            ran = ItemLoop.Run<TIn, Unit, ActionWork<TIn>, NoResultSink>(items, work, ref sink, token, _caller);
            failures = sink.Failures;
        }
        else if (_work.Sync is { } sync)
        {
            var work = new SyncWork<TIn, TOut>(sync);
            var sink = new ValuesSink<TOut>(values.Span, _failures, batch.StartIndex);
            ran = ItemLoop.Run<TIn, TOut, SyncWork<TIn, TOut>, ValuesSink<TOut>>(items, work, ref sink, token, _caller);
            failures = sink.Failures;
        }
        else
        {
            var work = new BlockingAsyncWork<TIn, TOut>(_work.Async!, token, _leave.Token, _caller);
            var sink = new ValuesSink<TOut>(values.Span, _failures, batch.StartIndex);
            ran = ItemLoop.Run<TIn, TOut, BlockingAsyncWork<TIn, TOut>, ValuesSink<TOut>>(items, work, ref sink, token, _caller);
            failures = sink.Failures;
        }

        return EndBatch(worker, batch, ran, values, failures);
    }

    private ValueTask RunAwaitedAsync(EngineWorker worker, ItemBatch<TIn> batch)
    {
        var values = BeginBatch(worker, batch);
        if (_policy is not null)
        {
            var attempts = new ItemAttempts();
            return ItemLoop.RunAsync<TIn, TOut, ResilientAsyncWork<TIn, TOut>, AwaitedBatchSink<TIn, TOut>>(
                batch.Items, new ResilientAsyncWork<TIn, TOut>(_policy, _work.Sync, _work.Async, attempts), new AwaitedBatchSink<TIn, TOut>(this, worker, batch, values, attempts), _stop.Token, _caller);
        }

        return ItemLoop.RunAsync<TIn, TOut, AsyncWork<TIn, TOut>, AwaitedBatchSink<TIn, TOut>>(
            batch.Items, new AsyncWork<TIn, TOut>(_work.Async!), new AwaitedBatchSink<TIn, TOut>(this, worker, batch, values, null), _stop.Token, _caller);
    }

    /// <summary>Records and delivers a batch that ran elsewhere (another process or machine).</summary>
    /// <param name="worker">The worker that sent the batch.</param>
    /// <param name="batch">The batch as it was taken.</param>
    /// <param name="ran">How many items, from the start of the batch, finished (succeeded or failed); the rest count as not run.</param>
    /// <param name="values">The results; <c>values[i]</c> belongs to item <c>batch.StartIndex + i</c>.</param>
    /// <param name="failures">The failed items among them, or <see langword="null"/>.</param>
    /// <param name="startTimestamp">When the batch was sent, from <see cref="GetTimestamp"/>.</param>
    /// <param name="cpuTime">The CPU time the batch used where it ran, if known.</param>
    /// <returns>A task that completes when the results have been delivered.</returns>
    public ValueTask CompleteBatchAsync(EngineWorker worker, ItemBatch<TIn> batch, int ran, ReadOnlyMemory<TOut> values, IReadOnlyList<ItemFailure>? failures, long startTimestamp, TimeSpan? cpuTime)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentOutOfRangeException.ThrowIfNegative(ran);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ran, batch.Count);
        var buffer = _sink.RentValues(batch.StartIndex, batch.Count);
        values[..ran].CopyTo(buffer);
        List<ItemFailure>? list = null;
        if (failures is { Count: > 0 })
        {
            list = [.. failures.OrderBy(f => f.Index)];
            _failures.Record(list);
        }

        worker.RecordBatch(batch.StartIndex, ran, list?.Count ?? 0, startTimestamp, GetTimestamp(), cpuTime);
        return FinishBatchAsync(batch, ran, buffer, list);
    }

    internal void RecordCombineFailure(long index, Exception e, bool afterWorkers) => _failures.RecordCombine(index, e, afterWorkers);

    // Failures are already recorded with the run (RunFailures); this does the counting and delivery.
    private ValueTask FinishBatchAsync(ItemBatch<TIn> batch, int ran, Memory<TOut> values, List<ItemFailure>? failures)
    {
        var failed = failures?.Count ?? 0;
        var notRun = batch.Count - ran;
        if (notRun > 0)
        {
            _failures.AddNotRun(notRun);
            _sink.OnNotRun(batch.StartIndex + ran, notRun);
        }

        var engine = new KeyValuePair<string, object?>(BrigadeTelemetry.EngineTag, Engine.Name);
        Telemetry.Batches.Add(1, engine);
        if (ran - failed > 0)
        {
            Telemetry.ItemsProcessed.Add(ran - failed, engine, new KeyValuePair<string, object?>(BrigadeTelemetry.OutcomeTag, BrigadeTelemetry.OutcomeSuccess));
        }

        if (failed > 0)
        {
            Telemetry.ItemsProcessed.Add(failed, engine, new KeyValuePair<string, object?>(BrigadeTelemetry.OutcomeTag, BrigadeTelemetry.OutcomeFailure));
        }

        return DeliverAsync(batch.StartIndex, ran, values, failures);
    }

    private async ValueTask DeliverAsync(long start, int ran, Memory<TOut> values, List<ItemFailure>? failures)
    {
        try
        {
            await _sink.OnBatchAsync(start, ran, values, failures, _abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // The reader left or the run was cancelled: nobody is waiting for these results any more.
        }
    }

    /// <summary>Stops the run because of an error in the engine itself; the run rethrows it once every worker has finished.</summary>
    /// <param name="error">The error.</param>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (Interlocked.CompareExchange(ref _fatal, ExceptionDispatchInfo.Capture(error), null) is null)
        {
            _abort.Cancel();
        }
    }

    // The input threw after handing out the items it had read: they run, then the run fails with the input's error.
    private void CheckSourceFailure()
    {
        if (_source.Failure is { } failure)
        {
            OnSourceFailure(failure);
        }
    }

    // A failed input is already exhausted (every later take is empty), so the run is not aborted: items already
    // read finish and are delivered, as SourceFailedException promises, and the error is rethrown at the end.
    private void OnSourceFailure(Exception e)
    {
        // Stopping, not _stop alone: a take that left on the caller's token (EnumerableSource) can see it before _stop,
        // which is linked to it through callbacks that run after the taker's own.
        if (e is OperationCanceledException && Stopping)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _fatal, ExceptionDispatchInfo.Capture(e), null) is null)
        {
            _fatalFromSource = true;
        }
    }

    /// <summary>Aborts the run: called when a stream's reader leaves early.</summary>
    internal void Abort()
    {
        try
        {
            _leave.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The reader left after the run had finished and disposed its tokens: there is nothing left to stop.
        }
    }

    internal RunFailures Failures => _failures;

    internal List<ItemFailure> SnapshotFailures() => _failures.Snapshot();

    /// <summary>Sets what watches every batch; once, before the engine starts (and before any worker's first batch).</summary>
    internal void UseHooks(BatchHooks? hooks) => _hooks = hooks;

    internal void DisposeTokens()
    {
        _stop.Dispose();
        _abort.Dispose();
        _leave.Dispose();
    }
}
