using Brigade.Engines;
using Brigade.Engines.Remote;
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
internal sealed partial class ProcessRun<TIn, TOut>
{
    // How many batches a worker holds at once when items are cheap: one running, one waiting, so it never waits for
    // the host. Slow items (the sizer sends them one at a time) are not queued behind each other: a waiting slow item
    // is one another worker could be running.
    private const int PipelineDepth = 2;

    // Mid-batch result chunks: at most this long apart, so a crash loses little and timeouts stay precise.
    private static readonly TimeSpan MaxFlushInterval = TimeSpan.FromMilliseconds(50);

    // Added to the item timeout before the watchdog fires: results may wait up to one flush interval, plus IPC.
    private static readonly TimeSpan TimeoutSlack = TimeSpan.FromMilliseconds(25);

    private readonly ProcessEngine _engine;
    private readonly EngineJob<TIn, TOut> _job;
    private readonly ProcessWork _work;
    private readonly WorkerLauncher _launcher;
    private readonly ProcessEngineOptions _options;
    private readonly int _workId;
    private readonly TimeSpan _flushInterval;

    // The caller's cultures when the run started: the in-process engines' items see them through the execution context,
    // so a worker's items run under them too (review 46: "1.234,5" on threads, "1234.5" in a worker).
    private readonly RunCulture _culture = RunCulture.Current;
    private readonly WorkerGroup _loops;

    // RunOptions.ItemTimeout and ItemRetry, run by the worker's executor (cooperative, per attempt); null when unset.
    private readonly ItemPolicySpec? _policy;

    // How long an item may hold its worker before the worker is killed: ProcessEngineOptions.ItemTimeout (the whole
    // item, attempts and waits included), or else, when the run has an attempt timeout, every attempt's timeout and wait
    // plus one more timeout's grace (so that synchronous work that ignores its timeout cannot hold a worker forever, and
    // work that honours it always reports its own TimeoutRejectedException first); null for no limit (also when
    // ProcessEngineOptions.ItemTimeout is Timeout.InfiniteTimeSpan: review 30).
    private readonly TimeSpan? _hardTimeout;

    // The run's first cold worker, started as the run starts (StartAhead) rather than when a loop has its thread, its
    // codec and its first batch: the worker's spawn and start-up (tens of ms, in another process) overlap that set-up.
    // Taken by the first loop that needs a new worker, as if it had started it there; null when none was started ahead
    // or once taken. One left untaken (the run ended first) is handed back to the pool when it is ready (WhenDoneAsync).
    private Task<WorkerProcess>? _ahead;

    // Loops that hold their first batch and wait for a worker, and how many may: a loop widens the run (starts the next
    // loop) as soon as it has work, unless that many already wait; then it widens once its own worker is up. A run far
    // wider than the machine (MaxDegreeOfParallelism = int.MaxValue over 200 items: 200 loops, each holding an item) started
    // every worker process at once, 200 `dotnet` start-ups on 2 cores, which outlasted StartTimeout and failed the run
    // (lib44); staged, the workers that start first run the items, and loops that come later find less or nothing to do.
    // Never fewer than MaxWorkers: a run of the engine's own width starts all its workers at once, as before.
    private readonly int _startsAtOnce;
    private int _waitingForWorker;

    public ProcessRun(ProcessEngine engine, EngineJob<TIn, TOut> job, ProcessWork work, WorkerLauncher launcher, int workId)
    {
        _engine = engine;
        _job = job;
        _work = work;
        _launcher = launcher;
        _options = engine.Options;
        _workId = workId;
        _loops = new WorkerGroup(job.DegreeOfParallelism);
        _startsAtOnce = Math.Max(Environment.ProcessorCount, engine.Options.MaxWorkers);
        _policy = ItemPolicySpec.From(job.Options, engine.Name);
        _hardTimeout = _options.HardItemTimeout(_policy);
        _flushInterval = _hardTimeout is { } timeout && timeout / 4 < MaxFlushInterval ? timeout / 4 : MaxFlushInterval;
    }

    public Task Start()
    {
        var warm = _engine.Pool.IdleCount(_work.PoolKey);
        var width = _job.DegreeOfParallelism;
        _job.Plan = $"{width} worker process{(width == 1 ? "" : "es")} ({Math.Min(warm, width)} warm), {_work.Type.Name} in each, " +
            (_job.Options.BatchSize is { } size ? $"batches of {size}" : $"batches sized to ~{_options.TargetBatchDuration.TotalMilliseconds:0.#} ms from the observed cost per item");
        var ahead = StartAhead(warm);
        Launch();
        return ahead ? WhenDoneAsync() : _loops.Completion;
    }

    // Only for a run that will need a new worker: items to run (a known count: an input that turns out empty starts no
    // worker), none idle and no warm-up under way (that run waits for the warm-up's workers instead). With the run's
    // token, as a loop's own start: a cancelled run's worker gets the same grace, and is killed past it.
    private bool StartAhead(int warm)
    {
        if (warm == 0 && _job.ItemCount > 0 && !_job.CancellationToken.IsCancellationRequested && !_engine.Pool.HasIdleOrWarming(_work.PoolKey))
        {
            _ahead = _engine.Pool.StartAhead(_launcher, _work.PoolKey, _work.Name, _job.CancellationToken);
        }

        return _ahead is not null;
    }

    // The run ends when its loops have, and a worker started ahead that no loop took (the run failed or was cancelled
    // before a loop needed it) has started or failed: it goes to the pool if healthy, and no start outlives its run.
    private async Task WhenDoneAsync()
    {
        try
        {
            await _loops.Completion.ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Exchange(ref _ahead, null) is { } untaken)
            {
                try
                {
                    _engine.Pool.Return(await untaken.ConfigureAwait(false));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Nothing ran on it: a start that failed is not the run's failure (a loop that needed it would have reported it).
                }
            }
        }
    }

    // A loop that cannot get a thread gives its place back; the run fails only when no loop runs at all.
    private void Launch() => _loops.TryStartThread("brigade-process-loop-", Loop, _job.Fail);

    private void Loop(int id)
    {
        var state = new ProcessLoopState<TIn, TOut>(_job.CreateWorker(_options.TargetBatchDuration, $"process {id}"), _work, _options.TargetBatchDuration, _engine.MaxBatchFrameLength);
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
            Finish(state);
        }
    }

    private void Run(ProcessLoopState<TIn, TOut> state)
    {
        var launchedNext = false;
        var waitsForWorker = false;
        var widenOnceStarted = false;
        var inputDone = false;
        while (true)
        {
            // Keep the worker's pipeline full: while it runs one batch, the next is already encoded and waiting.
            while (state.InFlight.Count < (state.Sizer.Next > 1 ? PipelineDepth : 1))
            {
                PendingBatch<TIn> next;
                if (state.Retries.Count > 0)
                {
                    // Retries run alone, so that a death is charged to the right item.
                    if (_job.CancellationToken.IsCancellationRequested || state.InFlight.Count > 0)
                    {
                        break;
                    }

                    next = state.Retries.Dequeue();
                }
                else
                {
                    if (inputDone)
                    {
                        break;
                    }

                    if (state.Process is { } current)
                    {
                        if (current.ShouldRecycle(_options))
                        {
                            if (state.InFlight.Count > 0)
                            {
                                break;
                            }

                            Recycle(state, current);
                        }
                        else if (state.InFlight.Count > 0 && current.HasExited)
                        {
                            break;
                        }
                    }

                    var size = NextBatchSize(state);
                    if (size == 0)
                    {
                        break;
                    }

                    // lib61: with a batch in flight, a take that waits for the producer held that batch's results until
                    // the producer's next item came (100-200 ms late on every item of a source producing one per 100 ms;
                    // a feedback loop never finished). Read the results first; the take waits once nothing is in flight.
                    if (state.InFlight.Count > 0 && !_job.InputReady)
                    {
                        break;
                    }

                    var batch = _job.TakeBatch(state.Worker, size);
                    if (batch.IsEmpty)
                    {
                        inputDone = true;
                        break;
                    }

                    next = new PendingBatch<TIn>(batch, FlushEachItem: false);
                    if (!launchedNext)
                    {
                        // Widen as soon as there is work, before this loop waits for its own worker to start, unless
                        // enough loops already wait for theirs (_startsAtOnce).
                        launchedNext = true;
                        waitsForWorker = true;
                        if (Interlocked.Increment(ref _waitingForWorker) <= _startsAtOnce)
                        {
                            Launch();
                        }
                        else
                        {
                            widenOnceStarted = true;
                        }
                    }
                }

                bool ready;
                try
                {
                    ready = state.InFlight.Count > 0 || EnsureWorker(state, next);
                }
                finally
                {
                    if (waitsForWorker)
                    {
                        waitsForWorker = false;
                        Interlocked.Decrement(ref _waitingForWorker);
                    }
                }

                if (!ready)
                {
                    // Cancelled while it waited for a worker: Finish reports the batch not run.
                    return;
                }

                if (widenOnceStarted)
                {
                    widenOnceStarted = false;
                    Launch();
                }

                Send(state, next);
            }

            if (state.InFlight.Count > 0)
            {
                ReadOne(state);
                continue;
            }

            if (state.Process is { } idle && idle.ShouldRecycle(_options))
            {
                Recycle(state, idle);
            }

            if ((inputDone && state.Retries.Count == 0) || _job.CancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Recycle(ProcessLoopState<TIn, TOut> state, WorkerProcess process)
    {
        state.Process = null;
        process.Release(_workId);
        _engine.Pool.Recycle(process);
    }

    private int NextBatchSize(ProcessLoopState<TIn, TOut> state)
    {
        var size = Math.Min(_job.Options.BatchSize ?? state.Sizer.Next, state.MaxBatchItems);

        // Near the end, split what is left evenly over the workers rather than in ever smaller batches: a round trip
        // costs tens of microseconds, and a batch stays within the target duration anyway.
        if (_job.Options.BatchSize is null && _job.ItemCount is { } total)
        {
            var left = total - _job.ItemsTaken;
            size = (int)Math.Clamp((left + _job.DegreeOfParallelism - 1) / _job.DegreeOfParallelism, 1, size);
        }

        if (_options.MaxItemsPerWorker is { } max)
        {
            var used = (state.Process?.ItemsRun ?? 0) + state.InFlight.Sum(f => f.Pending.Batch.Count - f.Delivered);
            size = (int)Math.Clamp(max - used, 0, size);
        }

        return size;
    }

    // False when the run was cancelled before a worker was found or ready (state.Starting then holds the batch, for Finish).
    private bool EnsureWorker(ProcessLoopState<TIn, TOut> state, PendingBatch<TIn> next)
    {
        if (state.Process is { } current && !current.HasExited)
        {
            return true;
        }

        if (state.Process is { } dead)
        {
            state.Process = null;
            _engine.Pool.Discard(dead);
        }

        // Until the batch is sent, it is this loop's to report if the worker cannot start.
        state.Starting = next;
        while (true)
        {
            WorkerProcess process;
            bool warm;
            try
            {
                if (!_job.CancellationToken.IsCancellationRequested && Interlocked.Exchange(ref _ahead, null) is { } ahead)
                {
                    // The start Acquire would make here, begun earlier: it ends (or throws) as that would.
                    warm = false;
                    process = ahead.GetAwaiter().GetResult();
                }
                else
                {
                    process = _engine.Pool.Acquire(_launcher, _work.PoolKey, _work.Name, out warm, _job.CancellationToken);
                }
            }
            catch (OperationCanceledException) when (_job.CancellationToken.IsCancellationRequested)
            {
                return false;
            }

            if (_job.CancellationToken.IsCancellationRequested)
            {
                // Cancelled while the worker started (it answered within the grace): the work type is not created (a
                // second grace, and the user's constructor run after the cancel, review 27 F4); the healthy worker is kept.
                _engine.Pool.Return(process);
                return false;
            }

            (state.Process, state.Worker.Location) = (process, process.Location);
            try
            {
                process.EnsurePrepared(_workId, _work, _policy, _culture, _flushInterval, _options.MaxWorkerMemoryBytes is not null, _options, _job.CancellationToken);
                break;
            }
            catch (OperationCanceledException) when (_job.CancellationToken.IsCancellationRequested)
            {
                // Cancelled while the work type was created, which outlived the grace period: the worker was killed.
                state.Process = null;
                _engine.Pool.Discard(process);
                return false;
            }
            catch (WorkerStartException) when (warm && process.HasExited)
            {
                // A pooled worker died while idle (its last run's item timeout, a kill): take another, not a failure.
                state.Process = null;
                _engine.Pool.Discard(process);
            }
        }

        state.Starting = null;
        return true;
    }

    private void Send(ProcessLoopState<TIn, TOut> state, PendingBatch<TIn> pending)
    {
        var process = state.Process!;
        var batchId = process.NextBatchId();
        var frame = state.Codec.TryEncodeBatch(_workId, batchId, pending.FlushEachItem ? WireFormat.BatchFlushEachItem : (byte)0, pending.Batch.Items, out var inputFailures);
        if (frame is null)
        {
            // Too many bytes for one frame: send it as two halves (the worker runs batches in order, so results still
            // arrive in input order), and keep this loop's later batches at most that size until their bytes say more fit.
            var items = pending.Batch.Items;
            var half = items.Length / 2;
            state.MaxBatchItems = Math.Min(state.MaxBatchItems, Math.Max(1, half));
            Send(state, pending with { Batch = new ItemBatch<TIn>(pending.Batch.StartIndex, items[..half]) });
            Send(state, pending with { Batch = new ItemBatch<TIn>(pending.Batch.StartIndex + half, items[half..]) });
            return;
        }

        if (state.MaxBatchItems != int.MaxValue)
        {
            state.FitBatchCap(pending.Batch.Count, frame.Length + frame.ReferencedBytes);
        }

        var flight = new InFlightBatch<TIn>(pending, batchId, inputFailures, _job.GetTimestamp());
        state.InFlight.Enqueue(flight);

        // Runs on the canceller's thread (the user's Cancel, a signal handler, a stream's reader leaving): it only queues
        // the Cancel frame, so a frozen worker cannot block it. The grace period (ProcessEngineOptions.CancellationGrace-
        // Period, counted from the frame's write) is how long the run then waits for the worker's last chunk before it
        // kills the worker and reports the batch's unfinished items as not run: work that ignores its token (or a frozen
        // worker) would otherwise hold the run until the item returns, possibly for ever. At least
        // ProcessEngineOptions.MinCancellationGracePeriod: a worker that honours its token needs a moment to report.
        flight.Cancellation = _job.CancellationToken.Register(static s =>
        {
            var (worker, id, grace) = ((WorkerProcess, long, TimeSpan))s!;
            worker.Cancel(id, grace);
        }, (process, batchId, _options.EffectiveCancellationGracePeriod));

        // Armed before the write: a frozen worker whose pipe is full blocks the write, and only the watchdog (a
        // cancelled run's grace, an item timeout) ends that (review 20 P2).
        if (state.InFlight.Count == 1)
        {
            ArmWatchdog(process);
        }

        try
        {
            process.Send(frame);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The worker is gone: the next read finds the end of its channel and handles the death.
        }
    }

    // Reads one frame for the batch at the head of the pipeline (the worker runs batches in order).
    private void ReadOne(ProcessLoopState<TIn, TOut> state)
    {
        var process = state.Process!;
        var flight = state.InFlight.Peek();
        var batch = flight.Pending.Batch;
        try
        {
            var (type, payload) = process.Read();

            // Stop the clock while the frame is handled; false when the watchdog condemned the worker as it arrived.
            var healthy = process.Disarm();
            if (type == MessageType.Fatal)
            {
                throw new ProtocolException($"Worker {process.Location} stopped: {new PayloadReader(payload.Span).ReadString()}");
            }

            if (type != MessageType.Results)
            {
                throw new ProtocolException($"Worker {process.Location} sent {type} while running a batch.");
            }

            state.EnsureValues(batch.Count);
            state.Failures.Clear();
            var chunk = state.Codec.DecodeResults(payload.Span, flight.BatchId, batch.StartIndex, batch.Count, flight.Delivered, state.Values, state.Failures, flight.InputFailures, process.Location);
            var chunkStart = Math.Max(flight.SentAt, state.LastArrival);
            state.LastArrival = _job.GetTimestamp();
            if (chunk.Count > 0)
            {
                var part = new ItemBatch<TIn>(batch.StartIndex + flight.Delivered, batch.Items.Slice(flight.Delivered, chunk.Count));
                if (chunk.CpuTime is not null)
                {
                    // The worker's own time on the chunk and its wait for a core in it, beside its CPU: auto mode classes the work
                    // from them (IsolatedSample).
                    state.Worker.RecordRemoteBusy(chunk.Elapsed, chunk.RunQueueWait);
                }

                Deliver(state.Worker, part, chunk.Count, state.Values.AsMemory(0, chunk.Count), state.Failures, chunkStart, chunk.CpuTime);
            }

            flight.Delivered += chunk.Count;
            flight.WorkerTime += chunk.Elapsed;
            process.ItemsRun += chunk.Count;
            if (chunk.Final)
            {
                state.InFlight.Dequeue();
                flight.Cancellation.Dispose();
                if (chunk.WorkingSet >= 0)
                {
                    process.LastWorkingSet = chunk.WorkingSet;
                }

                if (flight.Delivered < batch.Count)
                {
                    // Stopped by cancellation: the rest never started.
                    NotRun(state.Worker, batch, flight.Delivered);
                }

                state.Sizer.Observe(flight.Delivered, flight.WorkerTime);
            }

            if (!healthy)
            {
                if (chunk.Count == 0 && !chunk.Final)
                {
                    // Nothing finished since the clock was armed: an ordinary death (the running item timed out).
                    throw new EndOfStreamException($"Worker {process.Location} was killed by its watchdog.");
                }

                // The results arrived as its watchdog fired: they are delivered, and no item is to blame.
                Abandon(state, process);
                return;
            }

            if (!chunk.Final || state.InFlight.Count > 0)
            {
                ArmWatchdog(process);
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
                throw WorkerPool.DisposedDuringTheRun();
            }

            if (exit.Reason == KillReason.Canceled)
            {
                // The run was cancelled and the worker outlived its grace period: what it had not reported never ran
                // to the end (no retry: the run is stopping), and the worker is gone with it. The run's message says so
                // (it said "every started item finished", lib59).
                _job.AddStoppedInFlight(NotRunInFlight(state));
                return;
            }

            OnWorkerDied(state, exit);
        }
    }

    // While the loop waits for its worker: the item timeout, if any, and once the run is cancelled its grace period.
    // Saturated: ItemTimeout may be TimeSpan.MaxValue ("never"), and Arm saturates the deadline itself (review 21 P1).
    private void ArmWatchdog(WorkerProcess process) =>
        process.Arm(_hardTimeout is { } timeout ? TimeSpans.SaturatingAdd(TimeSpans.SaturatingAdd(timeout, _flushInterval), TimeoutSlack) : null, KillReason.ItemTimeout);

    // Delivery may wait for the reader (or, in an ordered stream, for an earlier item): that is not the worker's time,
    // so ReadOne stops the item timeout (and a cancelled run's grace period) before delivering and arms it again for
    // the next chunk.
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

    // Everything taken but not run counts as not run. The worker goes back to the pool only when it is idle and healthy:
    // its pipeline empty and its watchdog disarmed before it fired. A loop ends with work in flight only on an error
    // (its normal end drains the pipeline); that worker may still be running an item, so it is killed, not waited for:
    // the run is already failing, and a replacement costs one start-up, paid only by a later run that needs it.
    private void Finish(ProcessLoopState<TIn, TOut> state)
    {
        var busy = state.Starting is not null || state.InFlight.Count > 0;
        if (state.Starting is { } starting)
        {
            state.Starting = null;
            NotRun(state.Worker, starting.Batch, 0);
        }

        NotRunInFlight(state);
        while (state.Retries.TryDequeue(out var left))
        {
            NotRun(state.Worker, left.Batch, 0);
        }

        if (state.Process is { } process)
        {
            state.Process = null;

            // Every batch's cancellation is disposed: a grace period still running (its batch came back in time) ends.
            process.EndCancelGrace();
            if (busy || !process.Disarm() || process.HasExited)
            {
                _engine.Pool.Discard(process);
            }
            else
            {
                process.Release(_workId);
                _engine.Pool.Return(process);
            }
        }

        state.Codec.Dispose();
    }

    // Returns how many items it counted as not run.
    private long NotRunInFlight(ProcessLoopState<TIn, TOut> state)
    {
        var notRun = 0L;
        while (state.InFlight.TryDequeue(out var flight))
        {
            flight.Cancellation.Dispose();
            NotRun(state.Worker, flight.Pending.Batch, flight.Delivered);
            notRun += flight.Pending.Batch.Count - flight.Delivered;
        }

        return notRun;
    }
}
