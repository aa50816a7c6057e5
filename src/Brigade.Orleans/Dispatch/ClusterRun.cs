using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Brigade.Engines;
using Brigade.Engines.Remote;
using Brigade.Orleans.Protocol;

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
/// <para><b>Silos that go quiet, and a cluster that cannot be reached.</b> Membership is not enough: a crashed silo stays
/// "active" until the others declare it dead, a localhost cluster whose primary died never declares anything, and a call
/// sent through a gateway the client can no longer reach waits for a response that will not come. So the monitor asks
/// the grain of every call in flight for more than a second whether it still runs its batch. A silo that answers nothing
/// for <see cref="ClusterEngineOptions.UnresponsiveSiloTimeout"/> is treated as lost (while another silo still answers);
/// a call that nobody confirms for that long is cancelled and its batch re-queued; and when batches are owed
/// (<see cref="_outstanding"/>) but nothing completes and nothing is confirmed running for
/// <see cref="ClusterEngineOptions.StallTimeout"/>, the run fails with <see cref="ClusterUnavailableException"/>, the items
/// not completed counted as not run.</para>
/// <para><b>When a slot may exit.</b> A slot leaves when its silo is lost, or when the input is exhausted, no batch is
/// queued and none is being taken or in flight (<see cref="_busy"/> is 0). Until then it waits on
/// <see cref="_changed"/>: a batch in flight elsewhere may still fail and need it. That state is final: nothing can
/// create work once nothing is busy and the input is done.</para>
/// </remarks>
internal sealed class ClusterRun<TIn, TOut>
{
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxProbeAfter = TimeSpan.FromSeconds(1);

    // How long the end of a run waits for its slot grains to hear that they can go.
    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(2);

    private readonly ClusterEngine _engine;
    private readonly EngineJob<TIn, TOut> _job;
    private readonly Guid _runId = Guid.NewGuid();
    private readonly List<Slot> _slots = [];
    private readonly List<SiloState> _silos = [];

    // Guards _retries, _fresh, _taking, _busy, _outstanding, the exits of _slotGroup, _inputDone and the replacement of _changed.
    // Never held across an await or while calling the job or a grain.
    private readonly Lock _gate = new();
    private readonly Queue<Attempt> _retries = new();

    // Batches taken from the input and not yet sent; retries go first.
    private readonly Queue<Attempt> _fresh = new();
    private bool _taking;

    // The last take started, awaited before the run returns: no take may outlive the engine's part of the run.
    private Task? _take;
    private int _busy;

    // Attempts taken from the input (or split from one) and not yet completed: what the run is owed by the cluster.
    private int _outstanding;

    // Stopwatch time of the last sign of progress: a batch completed, or a silo confirmed one running.
    private long _lastProgress = Stopwatch.GetTimestamp();
    private string? _unavailable;

    // The run's slots: every one is reserved when the slots start; the last to exit handles what is left.
    private WorkerGroup _slotGroup = null!;

    // The silos the run had lost when it stalled (before the stall marks them all lost), for the failure's summary.
    private IReadOnlyList<string> _lostAtStall = [];
    private bool _inputDone;
    private TaskCompletionSource _changed = NewSignal();

    private BatchCodec<TIn, TOut> _codec = null!;

    public ClusterRun(ClusterEngine engine, EngineJob<TIn, TOut> job)
    {
        _engine = engine;
        _job = job;
    }

    public async Task RunAsync()
    {
        if (!TryDescribe(out var descriptor))
        {
            return;
        }

        List<SiloState> silos;
        try
        {
            silos = await PrepareAsync(descriptor).ConfigureAwait(false);
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
        var monitor = MonitorAsync(monitorStop.Token);
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
            await monitorStop.CancelAsync().ConfigureAwait(false);
            await monitor.ConfigureAwait(false);
            await ReleaseAsync().ConfigureAwait(false);
            foreach (var silo in _silos)
            {
                silo.Dispose();
            }
        }
    }

    private bool TryDescribe(out WorkDescriptor descriptor)
    {
        descriptor = null!;
        if (_job.WorkType is not { } type)
        {
            _job.Fail(new ClusterWorkRejectedException(
                $"The cluster engine runs work given as a type: the work '{_job.WorkName}' is a delegate, which cannot cross to another machine. " +
                "Implement IWork<TIn, TOut> or IAsyncWork<TIn, TOut> in a class with a parameterless constructor, start the silos with its assembly, and pass an instance."));
            return false;
        }

        try
        {
            descriptor = WorkDescriptor.For(type);
            WorkTypeCheck.Ensure<TIn, TOut>(descriptor);
            _codec = new BatchCodec<TIn, TOut>(descriptor);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            _job.Fail(new ClusterWorkRejectedException($"Work type {type.FullName} cannot run on the cluster: {e.Message}", e));
            return false;
        }
    }

    private async Task<List<SiloState>> PrepareAsync(WorkDescriptor descriptor)
    {
        var request = new PrepareRequest
        {
            WorkType = descriptor.Name,
            InputType = descriptor.InputType.FullName,
            OutputType = descriptor.OutputType.FullName,
            ProtocolVersion = ClusterProtocol.Version,
        };
        var probes = await SiloProbe.ProbeAsync(_engine, request, _runId, _job.CancellationToken).ConfigureAwait(false);
        var rejected = new Dictionary<string, string>(StringComparer.Ordinal);
        var accepted = new List<SiloState>();
        foreach (var probe in probes.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var refused = probe.Response is { } answer ? answer.Rejected ?? ClusterProtocol.Mismatch(answer.ProtocolVersion, "silo") : null;
            if (probe.Response is { } response && refused is null)
            {
                accepted.Add(new SiloState(probe.Address, response.Silo, _engine.WorkersFor(response)));
            }
            else
            {
                var reason = refused ?? probe.Error ?? "no answer";
                rejected[probe.Name] = reason;
                if (refused is not null)
                {
                    ClusterLog.SiloSkipped(_engine.Logger, _runId, probe.Name, reason);
                }
            }
        }

        if (accepted.Count == 0)
        {
            var reasons = string.Join("; ", rejected.Select(r => $"silo {r.Key}: {r.Value}"));
            if (probes.Any(p => p.Response is { } r && (r.Rejected ?? ClusterProtocol.Mismatch(r.ProtocolVersion, "silo")) is not null))
            {
                throw new ClusterWorkRejectedException($"No silo accepts work type {descriptor.Name}: {reasons}.", descriptor.Name, rejected);
            }

            throw new ClusterUnavailableException($"No silo can take the run: {reasons}.");
        }

        var skipped = rejected.Count == 0 ? "" : $"; left out: {string.Join(", ", rejected.Keys)}";
        _job.Plan = $"{accepted.Count} silo{(accepted.Count == 1 ? "" : "s")} ({string.Join(", ", accepted.Select(s => $"{s.Name} ×{s.Workers}"))}){skipped}";
        _engine.RememberWidth(accepted.Sum(s => s.Workers));
        return accepted;
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
                    _slots.Add(new Slot(silo, index, generation => _engine.Slot(silo.Address, _runId, index, generation)));
                    added = true;
                }
            }

            if (!added)
            {
                break;
            }
        }

        var plan = $"{_job.Plan}, {_slots.Count} worker slots";
        _job.Plan = plan;
        ClusterLog.RunPlanned(_engine.Logger, _runId, plan);
        _slotGroup = new WorkerGroup(_slots.Count);
        while (_slotGroup.TryReserve(out _))
        {
        }
    }

    private async Task RunSlotAsync(Slot slot)
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
            _job.Fail(e);
        }
        finally
        {
            await ExitAsync(slot).ConfigureAwait(false);
        }
    }

    private EngineWorker CreateWorker(Slot slot, string location)
    {
        var worker = _job.CreateWorker(_engine.Options.TargetBatchDuration, $"silo {location} slot {slot.Index}");
        worker.Location = location;
        return worker;
    }

    /// <summary>The slot's next attempt: a batch to retry first, then a new batch from the input; null when the slot is done.</summary>
    private async Task<Attempt?> NextAsync(Slot slot)
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
                _fresh.Enqueue(new Attempt(batch, 0, []));
            }

            SignalLocked();
        }
    }

    /// <summary>Sends one attempt and completes or re-queues it; false when the slot must stop (its silo is gone).</summary>
    private async Task<bool> SendAsync(Slot slot, Attempt attempt)
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
                if (Volatile.Read(ref _unavailable) is { } unavailable)
                {
                    return await FailedAsync(slot, attempt, unavailable, e, Failure.NotTheItems).ConfigureAwait(false);
                }

                if (slot.Silo.IsLost)
                {
                    return await FailedAsync(slot, attempt, slot.Silo.LostReason, e, Failure.SiloGone).ConfigureAwait(false);
                }

                if (cancelled is { } cancel)
                {
                    return await FailedAsync(slot, attempt, cancel.Text, e, cancel.Stuck ? Failure.NotTheItems : Failure.Call).ConfigureAwait(false);
                }

                // The client could not deliver the call (no gateway, the target silo unreachable): nothing the items did.
                // Such failures are not counted against the items; a silo that keeps failing this way stops answering
                // and is left out, and a cluster that cannot be reached at all stalls the run until StallTimeout.
                return await FailedAsync(slot, attempt, $"{e.GetType().Name}: {e.Message}", e, IsDeliveryFailure(e) ? Failure.NotTheItems : Failure.Call).ConfigureAwait(false);
            }

            slot.EndCall();
            slot.InFlight = null;
        }

        slot.Silo.Heard();

        if (response.Rejected is { } reason)
        {
            // The silo no longer knows the work type (restarted with other assemblies): it cannot serve this run.
            slot.Silo.MarkLost("it no longer accepts the work type");
            return await FailedAsync(slot, attempt, $"work type rejected: {reason}", new ClusterWorkRejectedException(reason), Failure.SiloGone).ConfigureAwait(false);
        }

        var worker = response.Silo == slot.Worker.Location ? slot.Worker : (slot.Worker = CreateWorker(slot, response.Silo));
        var (values, failures) = _codec.Decode(batch, response, clientFailures);
        await _job.CompleteBatchAsync(worker, batch, response.Ran, values, failures, start, response.CpuTicks >= 0 ? TimeSpan.FromTicks(response.CpuTicks) : null).ConfigureAwait(false);
        slot.ConsecutiveFailures = 0;
        Done();
        return !slot.Silo.IsLost;
    }

    private async Task<bool> FailedAsync(Slot slot, Attempt attempt, string reason, Exception error, Failure kind)
    {
        var batch = attempt.Batch;
        if (kind == Failure.NotTheItems)
        {
            // Back to the queue as it was: this attempt does not count.
            ClusterLog.BatchRetried(_engine.Logger, _runId, batch.ToString(), slot.Silo.Name, attempt.Tries, reason);
            lock (_gate)
            {
                _retries.Enqueue(attempt);
                _busy--;
                SignalLocked();
            }

            return await PauseAsync(slot).ConfigureAwait(false);
        }

        var tries = attempt.Tries + 1;
        var history = attempt.History.Add($"attempt {tries} on silo {slot.Silo.Name}: {reason}");
        var maxAttempts = _engine.Options.MaxBatchAttempts;
        ClusterLog.BatchRetried(_engine.Logger, _runId, batch.ToString(), slot.Silo.Name, tries, reason);
        if (batch.Count == 1 && tries >= maxAttempts)
        {
            var index = batch.StartIndex;
            var failure = new ClusterDispatchException(
                $"Item {index.ToString(CultureInfo.InvariantCulture)} could not be run on the cluster after {tries} attempts: {string.Join("; ", history)}.",
                history,
                error);
            ClusterLog.ItemAbandoned(_engine.Logger, _runId, index, string.Join("; ", history));
            var now = _job.GetTimestamp();
            await _job.CompleteBatchAsync(slot.Worker, batch, 1, new TOut[1], [new ItemFailure(index, failure)], now, null).ConfigureAwait(false);
            Done();
        }
        else
        {
            lock (_gate)
            {
                // A silo that left says nothing about the items: the batch goes back whole, unless it has used up its
                // attempts. A failure on a silo that stayed may be the items' doing: halves go back, so that one item
                // that cannot run is isolated in a few rounds and its neighbours complete.
                if (batch.Count > 1 && (kind == Failure.Call || tries >= maxAttempts))
                {
                    _outstanding++;
                    var half = batch.Count / 2;
                    _retries.Enqueue(new Attempt(new ItemBatch<TIn>(batch.StartIndex, batch.Items[..half]), tries, history));
                    _retries.Enqueue(new Attempt(new ItemBatch<TIn>(batch.StartIndex + half, batch.Items[half..]), tries, history));
                }
                else
                {
                    _retries.Enqueue(new Attempt(batch, tries, history));
                }

                _busy--;
                SignalLocked();
            }
        }

        return await PauseAsync(slot).ConfigureAwait(false);
    }

    private static async Task<bool> PauseAsync(Slot slot)
    {
        if (slot.Silo.IsLost)
        {
            return false;
        }

        // The silo is still a member: the slot stays, after a pause that grows while its calls keep failing.
        slot.ConsecutiveFailures++;
        var pause = FailureBackoff * slot.ConsecutiveFailures;
        await Task.Delay(pause < MaxFailureBackoff ? pause : MaxFailureBackoff).ConfigureAwait(false);
        return true;
    }

    private void Done()
    {
        Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());
        lock (_gate)
        {
            _busy--;
            _outstanding--;
            SignalLocked();
        }
    }

    private static bool IsDeliveryFailure(Exception e) =>
        e is OrleansMessageRejectionException or global::Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException;

    private async Task ExitAsync(Slot slot)
    {
        List<Attempt>? stranded = null;
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
            var stalled = Volatile.Read(ref _unavailable);
            _job.Fail(new ClusterUnavailableException(stalled ??
                $"Every silo of the run left the cluster or stopped answering ({string.Join("; ", _silos.Select(s => $"{s.Name}: {s.LostReason}"))}); the {notRun:N0} items not yet run are counted as not run.")
            {
                LostSilos = stalled is null ? LostSilos() : Volatile.Read(ref _lostAtStall),
                SiloCount = _silos.Count,
            });
        }
    }

    /// <summary>Asks every grain running a batch of this run to stop before its next item; the batch then answers with what ran.</summary>
    private void StopInFlight()
    {
        foreach (var slot in _slots)
        {
            if (slot.InFlight is not null)
            {
                try
                {
                    // One-way: returns at once; a silo that is gone simply never sees it.
                    _ = slot.Grain.StopAsync(_runId);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    ClusterLog.StopNotDelivered(_engine.Logger, _runId, slot.Silo.Name, e);
                }
            }
        }
    }

    private async Task MonitorAsync(CancellationToken stop)
    {
        var interval = _engine.Options.MembershipCheckInterval;
        var timeout = interval * 4 > TimeSpan.FromSeconds(2) ? interval * 4 : TimeSpan.FromSeconds(2);
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                // Both checks every tick, independently: right after a silo leaves, a client's calls through that
                // silo's gateway can stall until the client drops the gateway, and one stalled check must not hold
                // back the other.
                await Task.WhenAll(CheckMembershipAsync(timeout, stop), CheckCallsAsync(timeout, stop)).ConfigureAwait(false);
                CheckResponsiveness();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private async Task CheckMembershipAsync(TimeSpan timeout, CancellationToken stop)
    {
        Dictionary<SiloAddress, SiloStatus> hosts;
        try
        {
            hosts = await _engine.GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, stop).WaitAsync(timeout, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            ClusterLog.MembershipCheckFailed(_engine.Logger, _runId, e);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        foreach (var silo in _silos)
        {
            if (!silo.IsLost && !hosts.ContainsKey(silo.Address))
            {
                ClusterLog.SiloLost(_engine.Logger, _runId, silo.Name);
                silo.MarkLost("it left the cluster");
                lock (_gate)
                {
                    SignalLocked();
                }
            }
        }
    }

    private TimeSpan Grace => _engine.Options.ResponseGracePeriod;

    private TimeSpan Unresponsive => _engine.Options.UnresponsiveSiloTimeout;

    // Calls shorter than this are not asked about: a batch is sized to take milliseconds.
    private TimeSpan ProbeAfter => Unresponsive / 4 < MaxProbeAfter ? Unresponsive / 4 : MaxProbeAfter;

    /// <summary>
    /// Asks the grain of every call in flight for longer than <see cref="ProbeAfter"/> whether it is still running the
    /// batch. An answer is news of its silo; a batch confirmed running is progress; a batch it finished longer ago than
    /// <see cref="Grace"/> lost its response and is cancelled here so that it is sent again.
    /// </summary>
    private async Task CheckCallsAsync(TimeSpan timeout, CancellationToken stop)
    {
        var checks = new List<Task>();
        var probeAfter = ProbeAfter;
        foreach (var slot in _slots)
        {
            if (slot.InFlight is { } attempt && !slot.Silo.IsLost && slot.CallDuration() > probeAfter && slot.TryReserveProgressCheck(probeAfter))
            {
                checks.Add(CheckAsync(slot, attempt));
            }
        }

        if (checks.Count > 0)
        {
            await Task.WhenAll(checks).ConfigureAwait(false);
        }

        async Task CheckAsync(Slot slot, Attempt attempt)
        {
            try
            {
                var grain = slot.Grain;
                var progress = await grain.ProgressAsync(_runId, attempt.Batch.StartIndex).WaitAsync(timeout < Unresponsive ? timeout : Unresponsive, stop).ConfigureAwait(false);
                slot.Silo.Heard();
                if (slot.InFlight != attempt)
                {
                    return;
                }

                if (progress.Running)
                {
                    slot.Confirm();
                    Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());
                }
                else if (progress.Seen && progress.SinceFinished > Grace)
                {
                    slot.CancelCall($"the silo finished the batch {progress.SinceFinished.TotalSeconds:0} s ago but its response never arrived (larger than the message size limit?)", stuck: false);
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // No answer: the silo may be gone or unreachable; CheckResponsiveness decides from how long it has been quiet.
                ClusterLog.MembershipCheckFailed(_engine.Logger, _runId, e);
            }
            catch (OperationCanceledException)
            {
                // The run is over.
            }
        }
    }

    /// <summary>Leaves out silos that stopped answering, re-sends calls nobody confirms, and fails a run that makes no progress.</summary>
    private void CheckResponsiveness()
    {
        var unresponsive = Unresponsive;
        var quiet = _silos.Where(s => !s.IsLost && s.SinceHeard > unresponsive && _slots.Any(slot => slot.Silo == s && slot.InFlight is not null)).ToList();
        var answering = _silos.Count(s => !s.IsLost) - quiet.Count;

        // Only while another silo still answers: when none does, the client itself is likely cut off, and the stall
        // check below ends the run with that diagnosis instead of blaming each silo in turn.
        if (answering > 0)
        {
            foreach (var silo in quiet)
            {
                ClusterLog.SiloUnresponsive(_engine.Logger, _runId, silo.Name, silo.SinceHeard.TotalSeconds);
                silo.MarkLost($"it answered nothing for {silo.SinceHeard.TotalSeconds:0} s");
            }

            if (quiet.Count > 0)
            {
                lock (_gate)
                {
                    SignalLocked();
                }
            }
        }

        foreach (var slot in _slots)
        {
            if (slot.InFlight is not null && !slot.Silo.IsLost && slot.SinceConfirmed() > unresponsive)
            {
                slot.CancelCall($"nothing confirmed the batch running for {slot.SinceConfirmed().TotalSeconds:0} s (the silo or the gateway the call went through is unreachable)", stuck: true);
            }
        }

        int outstanding;
        lock (_gate)
        {
            outstanding = _outstanding;
        }

        if (outstanding == 0)
        {
            // Nothing owed by the cluster (the run is waiting for its input, or done): the stall clock does not run.
            Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());
            return;
        }

        var stalled = Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastProgress));
        if (stalled > _engine.Options.StallTimeout && Volatile.Read(ref _unavailable) is null)
        {
            var silos = string.Join("; ", _silos.Select(s => s.IsLost ? $"{s.Name}: {s.LostReason}" : $"{s.Name}: last answered {s.SinceHeard.TotalSeconds:0} s ago"));
            var reason =
                $"The cluster made no progress for {stalled.TotalSeconds:0} s (StallTimeout, brigade run --cluster-timeout: {_engine.Options.StallTimeout.TotalSeconds:0.#} s): " +
                $"no batch completed and no silo confirmed one running ({silos}). The client may have lost its gateways, or the cluster cannot serve calls " +
                "(a localhost cluster whose primary silo died); the items not completed are counted as not run.";
            var lost = LostSilos();
            Volatile.Write(ref _lostAtStall, lost);
            if (Interlocked.CompareExchange(ref _unavailable, reason, null) is null)
            {
                ClusterLog.RunStalled(_engine.Logger, _runId, reason);

                // At once, not when the last slot leaves: failing the job also ends a take waiting for ordered delivery.
                _job.Fail(new ClusterUnavailableException(reason) { LostSilos = lost, SiloCount = _silos.Count });
                foreach (var silo in _silos)
                {
                    silo.MarkLost("the run stalled");
                }

                lock (_gate)
                {
                    SignalLocked();
                }
            }
        }
    }

    private List<string> LostSilos() => [.. _silos.Where(s => s.IsLost).Select(s => $"{s.Name}: {s.LostReason}")];

    /// <summary>
    /// Tells every slot grain of the run that it can go, and waits (briefly) for them to hear it: a client that exits
    /// right after its run (the CLI) must not leave the silos counting the run as active until Orleans collects the grains.
    /// </summary>
    private async Task ReleaseAsync()
    {
        var calls = new List<Task>();
        foreach (var slot in _slots.Where(s => !s.Silo.IsLost))
        {
            try
            {
                calls.Add(slot.Grain.ReleaseAsync());
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                ClusterLog.StopNotDelivered(_engine.Logger, _runId, slot.Silo.Name, e);
            }
        }

        try
        {
            await Task.WhenAll(calls).WaitAsync(ReleaseWait).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A silo that does not hear it drops the grains when Orleans collects them; the run's outcome is settled.
        }
    }

    // Wakes every waiting slot to look again; called with _gate held.
    private void SignalLocked()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How a failed attempt goes back to the queue.</summary>
    private enum Failure
    {
        /// <summary>The call could not be delivered, or the run is ending: the batch goes back whole and the attempt does not count.</summary>
        NotTheItems,

        /// <summary>The silo left or went quiet: the batch goes back whole, and the attempt counts.</summary>
        SiloGone,

        /// <summary>The call failed while its silo stayed: it may be the items' doing, so the batch goes back in halves.</summary>
        Call,
    }

    /// <summary>A batch and its history of failed attempts.</summary>
    private sealed record Attempt(ItemBatch<TIn> Batch, int Tries, ImmutableList<string> History);

    /// <summary>One worker slot: a grain on one silo, the report worker that records its batches, and its batch in flight.</summary>
    private sealed class Slot(SiloState silo, int index, Func<int, Grains.IWorkerGrain> grains)
    {
        private volatile Grains.IWorkerGrain _grain = grains(0);
        private int _generation;

        public SiloState Silo => silo;

        public int Index => index;

        public Grains.IWorkerGrain Grain => _grain;

        public EngineWorker Worker { get; set; } = null!;

        // Read by StopInFlight and the monitor from other threads.
        public volatile Attempt? InFlight;

        // Guards _call, _callStart, _lostResponse and _lastCheck: the slot's loop and the monitor both touch them.
        private readonly Lock _callGate = new();
        private CancellationTokenSource? _call;
        private long _callStart;
        private long _lastCheck;
        private long _lastConfirmed;
        private (string Text, bool Stuck)? _lostResponse;

        public int ConsecutiveFailures { get; set; }

        public (string Text, bool Stuck)? LostResponse
        {
            get
            {
                lock (_callGate)
                {
                    return _lostResponse;
                }
            }
        }

        // Call times are on the stopwatch, not the run's clock: a test's fake clock must not make calls look lost.
        public void BeginCall(CancellationTokenSource call)
        {
            var now = Stopwatch.GetTimestamp();
            lock (_callGate)
            {
                _call = call;
                _callStart = now;
                _lastCheck = now;
                _lastConfirmed = now;
                _lostResponse = null;
            }
        }

        public void EndCall()
        {
            lock (_callGate)
            {
                _call = null;
            }
        }

        public TimeSpan CallDuration()
        {
            lock (_callGate)
            {
                return _call is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_callStart);
            }
        }

        public void Confirm()
        {
            var now = Stopwatch.GetTimestamp();
            lock (_callGate)
            {
                _lastConfirmed = now;
            }
        }

        public TimeSpan SinceConfirmed()
        {
            lock (_callGate)
            {
                return _call is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_lastConfirmed);
            }
        }

        public bool TryReserveProgressCheck(TimeSpan every)
        {
            var now = Stopwatch.GetTimestamp();
            lock (_callGate)
            {
                if (_call is null || Stopwatch.GetElapsedTime(_lastCheck, now) < every)
                {
                    return false;
                }

                _lastCheck = now;
                return true;
            }
        }

        public void CancelCall(string reason, bool stuck)
        {
            CancellationTokenSource? call;
            lock (_callGate)
            {
                call = _call;
                if (call is null || _lostResponse is not null)
                {
                    return;
                }

                _lostResponse = (reason, stuck);
                if (stuck)
                {
                    // The stuck call may still occupy its grain, and every call to that grain takes the same way through
                    // the client: the next batch goes to a grain of a new generation.
                    _grain = grains(++_generation);
                }
            }

            // Outside the lock: cancelling runs Orleans' callbacks, which complete the slot's await.
            try
            {
                call?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call completed meanwhile.
            }
        }
    }
}
