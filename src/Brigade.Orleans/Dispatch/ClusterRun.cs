using System.Globalization;
using Brigade.Engines;
using Brigade.Orleans.Protocol;
using Brigade.Reporting;

namespace Brigade.Orleans.Dispatch;

/// <summary>
/// One run on the cluster: checks the work type on every silo, starts one loop per worker slot, re-queues the batches
/// of silos that leave, and completes when no batch is left anywhere.
/// </summary>
/// <remarks>
/// <para><b>Exactly once in the results.</b> Every batch taken from the job is completed through
/// <see cref="EngineJob{TIn, TOut}.CompleteBatchAsync"/> exactly once: with the results of the attempt that answered,
/// as not run when the run stops first, or as failed after its last attempt. A batch whose call failed (its silo left,
/// the call was cancelled or broke) is never completed by that attempt; it goes back to <see cref="_retries"/>. Its
/// items may therefore have <i>run</i> twice (at-least-once execution), but they are delivered once.</para>
/// <para><b>Silos that go quiet, and a cluster that cannot be reached</b>: <see cref="ClusterRunMonitor{TIn, TOut}"/>.</para>
/// <para><b>When a slot may exit.</b> A slot leaves when its silo is lost, or when the input is exhausted, no batch is
/// queued and none is being taken or in flight (<see cref="_busy"/> is 0). Until then it waits on
/// <see cref="_changed"/>: a batch in flight elsewhere may still fail and need it. That state is final: nothing can
/// create work once nothing is busy and the input is done.</para>
/// </remarks>
internal sealed class ClusterRun<TIn, TOut>
{

    private readonly ClusterEngine _engine;
    private readonly EngineJob<TIn, TOut> _job;
    private readonly Guid _runId = Guid.NewGuid();
    private readonly List<ClusterSlot<TIn>> _slots = [];
    private readonly List<SiloState> _silos = [];
    private readonly ClusterRunMonitor<TIn, TOut> _monitor;

    // How long the end of a run waits for its stopped monitor: its checks end when stopped; this bounds one that would not.
    private static readonly TimeSpan CleanUpWait = TimeSpan.FromSeconds(5);

    // Guards _retries, _fresh, _taking, _busy, _outstanding, the exits of _slotGroup, _inputDone and the replacement of _changed.
    // Never held across an await or while calling the job or a grain.
    private readonly Lock _gate = new();
    private readonly Queue<ClusterAttempt<TIn>> _retries = new();

    // Batches taken from the input and not yet sent; retries go first.
    private readonly Queue<ClusterAttempt<TIn>> _fresh = new();
    private bool _taking;

    // The last take started, awaited before the run returns: no take may outlive the engine's part of the run.
    private Task? _take;
    private int _busy;

    // Attempts taken from the input (or split from one) and not yet completed: what the run is owed by the cluster.
    private int _outstanding;

    // The run's slots: every one is reserved when the slots start; the last to exit handles what is left.
    private WorkerGroup _slotGroup = null!;

    private bool _inputDone;
    private TaskCompletionSource _changed = NewSignal();

    private BatchCodec<TIn, TOut> _codec = null!;

    // RunOptions.ItemTimeout and ItemRetry, applied on the silo to each item (cooperative timeouts); null when unset.
    private ItemPolicyData? _policy;

    public ClusterRun(ClusterEngine engine, EngineJob<TIn, TOut> job)
    {
        _engine = engine;
        _job = job;
        _monitor = new ClusterRunMonitor<TIn, TOut>(engine, job, _runId, _silos, _slots, Outstanding, Signal);
    }

    public async Task RunAsync()
    {
        if (ClusterAdmission.Describe(_job) is not { } descriptor)
        {
            return;
        }

        _codec = new BatchCodec<TIn, TOut>(descriptor);
        if (!ClusterAdmission.TryPolicy(_engine, _job, out _policy))
        {
            return;
        }

        List<SiloState> silos;
        try
        {
            silos = await ClusterAdmission.PrepareAsync(_engine, _job, _runId, descriptor).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_job.CancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is ClusterUnavailableException or ClusterWorkRejectedException)
        {
            _job.Fail(e);
            return;
        }

        StartSlots(silos);
        using var stopRegistration = _job.CancellationToken.UnsafeRegister(static state => ((ClusterRun<TIn, TOut>)state!).StopInFlight(), this);
        using var monitorStop = new CancellationTokenSource();
        var monitor = _monitor.RunAsync(monitorStop.Token);
        try
        {
            await Task.WhenAll(_slots.Select(RunSlotAsync)).ConfigureAwait(false);

            // Every slot has left; a take still waiting (ordered delivery) ends now that the run is failed or stopped.
            if (Volatile.Read(ref _take) is { } take)
            {
                await take.ConfigureAwait(false);
            }
        }
        finally
        {
            await CleanUpAsync(monitorStop, monitor).ConfigureAwait(false);
        }

        // A run that lost a silo and finished on the others said nothing of it (review 47): its plan names the silos it
        // lost and why. A run that failed says it in its exception (ClusterUnavailableException.LostSilos). The silos are
        // recorded on the job as data, which the report carries: its losses read them there, not in the plan's words
        // (review 49: they parsed the plan, so a change of wording here would have silently lost them).
        var (lost, planText) = LostToRecord(_silos, stoppedEarly: _job.CancellationToken.IsCancellationRequested, failed: _job.Fatal is not null && !_job.FatalFromSource);
        if (lost.Count > 0)
        {
            _job.LostSilos = lost;
            _job.Plan += planText;
        }
    }

    /// <summary>
    /// The silos a run records as lost (<see cref="EngineJob{TIn, TOut}.LostSilos"/>, then the report) and what its plan
    /// says of them: every silo lost during it, also when it stopped early (its caller cancelled, or
    /// <see cref="FailureMode.StopOnFirstFailure"/> tripped: review 50, such a run recorded none, so neither its losses nor
    /// its plan named a silo that died during it), and when the cluster failed the run: its exception names them too
    /// (<see cref="ClusterUnavailableException.LostSilos"/>), but its report recorded none (lib52: the stall that fails a
    /// run marks every silo lost, "the run stalled", and that marking hid the silos really lost before it). The stall's
    /// own marking (<see cref="SiloState.LostToStall"/>) is no news of any silo and is not recorded.
    /// </summary>
    /// <param name="silos">The run's silos.</param>
    /// <param name="stoppedEarly">Whether the run stopped early (its token tripped): the plan's words differ, as for a failed run.</param>
    /// <param name="failed">Whether the engine failed the run (<see cref="EngineJob{TIn, TOut}.Fatal"/>, not the input's error).</param>
    /// <returns>The lost silos, in the run's order, and the text to append to the plan ("" for none).</returns>
    internal static (List<LostSilo> Lost, string PlanText) LostToRecord(IEnumerable<SiloState> silos, bool stoppedEarly, bool failed)
    {
        List<LostSilo> lost = [.. silos.Where(static s => s.IsLost && !s.LostToStall).Select(static s => new LostSilo(s.Name, s.LostReason, s.LostCause))];
        return (lost, LostSilo.PlanText(lost, stoppedEarly || failed));
    }

    /// <summary>
    /// Stops the monitor and releases the slot grains, once every slot has left. The run's outcome is settled by then
    /// (every batch completed, or the job failed), so nothing here may change it: what this still asks of the cluster
    /// can meet a silo that died (a localhost cluster's dead primary rejects every call routed to it); such failures are
    /// logged, not thrown, and each step is bounded.
    /// </summary>
    private async Task CleanUpAsync(CancellationTokenSource monitorStop, Task monitor)
    {
        try
        {
            // Cancelling also runs Orleans' callbacks for the monitor's calls in flight (a cancellation sent to their silo).
            await monitorStop.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ClusterLog.CleanUpFailed(_engine.Logger, _runId, "stopping the run's monitor", e);
        }

        try
        {
            // Its checks end at once when stopped (each waits on the stop token); the bound is for a call that would not.
            await monitor.WaitAsync(CleanUpWait).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ClusterLog.CleanUpFailed(_engine.Logger, _runId, "the run's monitor", e);
        }

        try
        {
            await ClusterSlot<TIn>.ReleaseAllAsync(_slots, _runId, _engine.Logger).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ClusterLog.CleanUpFailed(_engine.Logger, _runId, "releasing the run's grains", e);
        }

        if (monitor.IsCompleted)
        {
            // A monitor still running (past the bound) may yet mark silos lost: their tokens stay until it ends.
            foreach (var silo in _silos)
            {
                silo.Dispose();
            }
        }
    }

    private void StartSlots(List<SiloState> silos)
    {
        _silos.AddRange(silos);

        // Slots are dealt round-robin over silos, so a width below the cluster's still spreads over every silo.
        var width = _job.DegreeOfParallelism;
        for (var round = 0; _slots.Count < width; round++)
        {
            var added = false;
            foreach (var silo in silos)
            {
                if (round < silo.Workers && _slots.Count < width)
                {
                    var index = round;
                    _slots.Add(new ClusterSlot<TIn>(silo, index, generation => _engine.Slot(silo.Address, _runId, index, generation)));
                    added = true;
                }
            }

            if (!added)
            {
                break;
            }
        }

        // The engine's default width came from its last discovery, which counts silos this run left out (another build of
        // the work): the run is as wide as its slots, and its report says so ("cluster ×6" when 4 slots ran; review 47).
        if (_slots.Count < width)
        {
            _job.DegreeOfParallelism = _slots.Count;
        }

        var plan = $"{_job.Plan}, {_slots.Count} worker slots";
        _job.Plan = plan;
        ClusterLog.RunPlanned(_engine.Logger, _runId, plan);
        _slotGroup = new WorkerGroup(_slots.Count);
        while (_slotGroup.TryReserve(out _))
        {
        }
    }

    private async Task RunSlotAsync(ClusterSlot<TIn> slot)
    {
        // Each slot loop starts on the thread pool so the caller's context never runs it.
        await Task.Yield();
        try
        {
            slot.Worker = CreateWorker(slot, slot.Silo.Name);
            while (true)
            {
                var attempt = await NextAsync(slot).ConfigureAwait(false);
                if (attempt is null)
                {
                    break;
                }

                if (!await SendAsync(slot, attempt).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            _job.Fail(Unavailable(e));
        }
        finally
        {
            await ExitAsync(slot).ConfigureAwait(false);
        }
    }

    private EngineWorker CreateWorker(ClusterSlot<TIn> slot, string location)
    {
        var worker = _job.CreateWorker(_engine.Options.TargetBatchDuration, $"silo {location} slot {slot.Index}");
        worker.Location = location;
        return worker;
    }

    /// <summary>The slot's next attempt: a batch to retry first, then a new batch from the input; null when the slot is done.</summary>
    private async Task<ClusterAttempt<TIn>?> NextAsync(ClusterSlot<TIn> slot)
    {
        while (true)
        {
            Task changed;
            var take = false;
            lock (_gate)
            {
                if (slot.Silo.IsLost)
                {
                    return null;
                }

                if (_retries.Count > 0)
                {
                    _busy++;
                    return _retries.Dequeue();
                }

                if (_fresh.Count > 0)
                {
                    _busy++;
                    return _fresh.Dequeue();
                }

                if (!_inputDone)
                {
                    if (!_taking)
                    {
                        // Counted as busy while taking, so that no slot exits while this batch is on its way.
                        _taking = true;
                        _busy++;
                        take = true;
                    }
                }
                else if (_busy == 0)
                {
                    SignalLocked();
                    return null;
                }

                changed = _changed.Task;
            }

            if (take)
            {
                // Not awaited by the slot: with ordered results, taking waits while the oldest undelivered batch is too
                // far behind, and that batch may be one that failed and waits in _retries for a slot. Every slot stays
                // free to run it; the batch taken meanwhile joins _fresh.
                Volatile.Write(ref _take, TakeAsync(slot.Worker));
            }

            await changed.ConfigureAwait(false);
        }
    }

    private async Task TakeAsync(EngineWorker worker)
    {
        var batch = default(ItemBatch<TIn>);
        try
        {
            batch = await _job.TakeBatchAsync(worker).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _job.Fail(e);
        }

        lock (_gate)
        {
            _taking = false;
            _busy--;
            if (batch.IsEmpty)
            {
                _inputDone = true;
            }
            else
            {
                _outstanding++;
                _fresh.Enqueue(new ClusterAttempt<TIn>(batch, 0, []));
            }

            SignalLocked();
        }
    }

    /// <summary>Sends one attempt and completes or re-queues it; false when the slot must stop (its silo is gone).</summary>
    private async Task<bool> SendAsync(ClusterSlot<TIn> slot, ClusterAttempt<TIn> attempt)
    {
        var batch = attempt.Batch;
        slot.InFlight = attempt;
        if (_job.CancellationToken.IsCancellationRequested)
        {
            // The run stopped: a batch not yet sent is not run (a stop registered before InFlight was set missed it).
            slot.InFlight = null;
            await _job.CompleteBatchAsync(slot.Worker, batch, 0, ReadOnlyMemory<TOut>.Empty, null, _job.GetTimestamp(), null).ConfigureAwait(false);
            Done();
            return true;
        }

        var (payload, clientFailures) = _codec.Encode(batch);
        var request = new BatchRequest
        {
            RunId = _runId,
            WorkType = _codec.WorkType,
            StartIndex = batch.StartIndex,
            Count = batch.Count,
            Items = payload,
            Policy = _policy,
        };

        var start = _job.GetTimestamp();
        BatchResponse response;
        using (var call = CancellationTokenSource.CreateLinkedTokenSource(slot.Silo.LostToken))
        {
            slot.BeginCall(call);
            try
            {
                response = await slot.Grain.RunAsync(request, call.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var cancelled = slot.LostResponse;
                slot.EndCall();
                slot.InFlight = null;
                if (_monitor.Unavailable is { } unavailable)
                {
                    return await FailedAsync(slot, attempt, unavailable, e, ClusterFailure.NotTheItems).ConfigureAwait(false);
                }

                if (slot.Silo.IsLost)
                {
                    return await FailedAsync(slot, attempt, slot.Silo.LostReason, e, ClusterFailure.SiloGone).ConfigureAwait(false);
                }

                if (cancelled is { } cancel)
                {
                    return await FailedAsync(slot, attempt, cancel.Text, e, cancel.Stuck ? ClusterFailure.NotTheItems : ClusterFailure.Call).ConfigureAwait(false);
                }

                // The client could not deliver the call (no gateway, the target silo unreachable): nothing the items did.
                // Such failures are not counted against the items; a silo that keeps failing this way stops answering
                // and is left out, and a cluster that cannot be reached at all stalls the run until StallTimeout.
                return await FailedAsync(slot, attempt, ErrorText.Gist(e), e, IsDeliveryFailure(e) ? ClusterFailure.NotTheItems : ClusterFailure.Call).ConfigureAwait(false);
            }

            slot.EndCall();
            slot.InFlight = null;
        }

        slot.Silo.Heard();

        if (response.Rejected is { } reason)
        {
            // The silo no longer knows the work type (restarted with other assemblies): it cannot serve this run.
            slot.Silo.MarkLost("it no longer accepts the work type", LostSiloCause.WorkTypeGone);
            return await FailedAsync(slot, attempt, $"work type rejected: {reason}", new ClusterWorkRejectedException(reason), ClusterFailure.SiloGone).ConfigureAwait(false);
        }

        var worker = response.Silo == slot.Worker.Location ? slot.Worker : (slot.Worker = CreateWorker(slot, response.Silo));
        var (values, failures) = _codec.Decode(batch, response, clientFailures);
        if (response.ElapsedTicks >= 0)
        {
            // The silo's own time on the batch, as a worker process reports its own: the rest of the batch's time seen from
            // here is serialization, transport and the reading of the results, which the losses count as overhead (cluster68:
            // without it they took all of it for the items' time, and printed "0 µs of serialization and transport").
            worker.RecordRemoteBusy(TimeSpan.FromTicks(response.ElapsedTicks), response.RunQueueTicks >= 0 ? TimeSpan.FromTicks(response.RunQueueTicks) : null);
        }

        await _job.CompleteBatchAsync(worker, batch, response.Ran, values, failures, start, response.CpuTicks >= 0 ? TimeSpan.FromTicks(response.CpuTicks) : null).ConfigureAwait(false);
        slot.ConsecutiveFailures = 0;
        Done();
        return !slot.Silo.IsLost;
    }

    private async Task<bool> FailedAsync(ClusterSlot<TIn> slot, ClusterAttempt<TIn> attempt, string reason, Exception error, ClusterFailure kind)
    {
        var batch = attempt.Batch;
        if (kind == ClusterFailure.NotTheItems)
        {
            // Back to the queue as it was: this attempt does not count.
            ClusterLog.BatchRetried(_engine.Logger, _runId, batch.ToString(), slot.Silo.Name, attempt.Tries, reason);
            lock (_gate)
            {
                _retries.Enqueue(attempt);
                _busy--;
                SignalLocked();
            }

            return await slot.PauseAfterFailureAsync().ConfigureAwait(false);
        }

        var failed = attempt.Failed($"attempt {attempt.Tries + 1} on silo {slot.Silo.Name}: {reason}");
        var maxAttempts = _engine.Options.MaxBatchAttempts;
        ClusterLog.BatchRetried(_engine.Logger, _runId, batch.ToString(), slot.Silo.Name, failed.Tries, reason);
        if (failed.IsExhausted(maxAttempts))
        {
            var index = batch.StartIndex;
            var failure = new ClusterDispatchException(
                $"Item {index.ToString(CultureInfo.InvariantCulture)} could not be run on the cluster after {failed.Tries} attempts: {string.Join("; ", failed.History)}.",
                failed.History,
                error);
            ClusterLog.ItemAbandoned(_engine.Logger, _runId, index, string.Join("; ", failed.History));
            await _job.CompleteBatchAsync(slot.Worker, batch, 1, new TOut[1], [new ItemFailure(index, failure) { Attempts = failed.Tries }], _job.GetTimestamp(), null).ConfigureAwait(false);
            Done();
        }
        else
        {
            lock (_gate)
            {
                if (failed.SplitsOnRetry(mayBeTheItems: kind == ClusterFailure.Call, maxAttempts))
                {
                    _outstanding++;
                    var (first, second) = failed.Halves();
                    _retries.Enqueue(first);
                    _retries.Enqueue(second);
                }
                else
                {
                    _retries.Enqueue(failed);
                }

                _busy--;
                SignalLocked();
            }
        }

        return await slot.PauseAfterFailureAsync().ConfigureAwait(false);
    }

    private void Done()
    {
        _monitor.Progressed();
        lock (_gate)
        {
            _busy--;
            _outstanding--;
            SignalLocked();
        }
    }

    /// <summary>
    /// The run's failure for an error that escaped a slot's loop: an Orleans error (the batch calls map theirs; this is
    /// for any other call to the cluster) becomes <see cref="ClusterUnavailableException"/>, the engine's documented
    /// failure, with the cause inside; any other error is the run's own.
    /// </summary>
    private Exception Unavailable(Exception e) => e is OrleansException
        ? new ClusterUnavailableException($"The cluster failed the run: {ErrorText.Gist(e)}; the items not completed are counted as not run.", e)
        {
            LostSilos = _monitor.LostSilos(),
            SiloCount = _silos.Count,
        }
        : e;

    private static bool IsDeliveryFailure(Exception e) =>
        e is OrleansMessageRejectionException or global::Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException;

    private async Task ExitAsync(ClusterSlot<TIn> slot)
    {
        List<ClusterAttempt<TIn>>? stranded = null;
        lock (_gate)
        {
            if (_slotGroup.Exited() && (_retries.Count > 0 || _fresh.Count > 0 || !_inputDone))
            {
                // The last slot is gone with work left: every silo of the run left the cluster.
                stranded = [.. _retries, .. _fresh];
                _retries.Clear();
                _fresh.Clear();
            }

            SignalLocked();
        }

        if (stranded is null)
        {
            return;
        }

        var notRun = 0L;
        foreach (var attempt in stranded)
        {
            notRun += attempt.Batch.Count;
            await _job.CompleteBatchAsync(slot.Worker, attempt.Batch, 0, ReadOnlyMemory<TOut>.Empty, null, _job.GetTimestamp(), null).ConfigureAwait(false);
        }

        if (!_job.CancellationToken.IsCancellationRequested)
        {
            var stalled = _monitor.Unavailable;
            _job.Fail(new ClusterUnavailableException(stalled ??
                $"Every silo of the run left the cluster or stopped answering ({string.Join("; ", _silos.Select(s => $"{s.Name}: {s.LostReason}"))}); the {notRun:N0} items not yet run are counted as not run.")
            {
                LostSilos = stalled is null ? _monitor.LostSilos() : _monitor.LostAtStall,
                SiloCount = _silos.Count,
            });
        }
    }

    private int Outstanding()
    {
        lock (_gate)
        {
            return _outstanding;
        }
    }

    private void Signal()
    {
        lock (_gate)
        {
            SignalLocked();
        }
    }

    /// <summary>Asks every grain running a batch of this run to stop before its next item; the batch then answers with what ran.</summary>
    private void StopInFlight() => ClusterSlot<TIn>.StopAll(_slots, _runId, _engine.Logger);

    // Wakes every waiting slot to look again; called with _gate held.
    private void SignalLocked()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
