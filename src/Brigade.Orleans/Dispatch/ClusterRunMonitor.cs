using System.Diagnostics;
using Brigade.Reporting;

namespace Brigade.Orleans.Dispatch;

/// <summary>
/// Watches a cluster run's silos and calls, every <see cref="ClusterEngineOptions.MembershipCheckInterval"/>: a silo that
/// leaves the membership or answers nothing for <see cref="ClusterEngineOptions.UnresponsiveSiloTimeout"/> (while another
/// answers) is lost; a call in flight whose grain finished the batch long ago, or that nothing confirms running, is
/// cancelled so that its batch is sent again; and a run owed batches that makes no progress for
/// <see cref="ClusterEngineOptions.StallTimeout"/> fails with <see cref="ClusterUnavailableException"/>.
/// </summary>
/// <remarks>
/// <para><b>Silos that go quiet, and a cluster that cannot be reached.</b> Membership is not enough: a crashed silo stays
/// "active" until the others declare it dead, a localhost cluster whose primary died never declares anything, and a call
/// sent through a gateway the client can no longer reach waits for a response that will not come. So this monitor asks
/// the grain of every call in flight for more than a second whether it still runs its batch. A silo that answers nothing
/// for <see cref="ClusterEngineOptions.UnresponsiveSiloTimeout"/> is treated as lost (while another silo still answers);
/// a call that nobody confirms for that long is cancelled and its batch re-queued; and when batches are owed
/// (the run's outstanding attempts) but nothing completes and nothing is confirmed running for
/// <see cref="ClusterEngineOptions.StallTimeout"/>, the run fails with <see cref="ClusterUnavailableException"/>, the items
/// not completed counted as not run.</para>
/// <para>It owns the run's progress clock and stall verdict; the run lends it the silos and slots, how many batches
/// are owed, and a way to wake the slots (the run's delegates take the run's lock; the monitor holds none of its own).</para>
/// </remarks>
internal sealed class ClusterRunMonitor<TIn, TOut>(
    ClusterEngine engine,
    EngineJob<TIn, TOut> job,
    Guid runId,
    List<SiloState> silos,
    List<ClusterSlot<TIn>> slots,
    Func<int> outstanding,
    Action signal)
{
    private static readonly TimeSpan MaxProbeAfter = TimeSpan.FromSeconds(1);

    // Stopwatch time of the last sign of progress: a batch completed, or a silo confirmed one running.
    private long _lastProgress = Stopwatch.GetTimestamp();
    private string? _unavailable;

    // The silos the run had lost when it stalled (before the stall marks them all lost), for the failure's summary.
    private IReadOnlyList<string> _lostAtStall = [];

    /// <summary>Gets why the run stalled, once it has; <see langword="null"/> until then.</summary>
    public string? Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>Gets the silos the run had lost when it stalled.</summary>
    public IReadOnlyList<string> LostAtStall => Volatile.Read(ref _lostAtStall);

    /// <summary>Records a sign of progress: a batch completed.</summary>
    public void Progressed() => Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());

    public async Task RunAsync(CancellationToken stop)
    {
        var interval = engine.Options.MembershipCheckInterval;
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
        catch (Exception e) when (stop.IsCancellationRequested && e is not OutOfMemoryException)
        {
            // The run is over: whatever a check in flight then met (its cancellation, or a call rejected by a silo
            // that died) changes nothing. Not the run's failure: every outcome of the run is settled by now.
        }
    }

    private async Task CheckMembershipAsync(TimeSpan timeout, CancellationToken stop)
    {
        Dictionary<SiloAddress, SiloStatus> hosts;
        try
        {
            hosts = await engine.GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, stop).WaitAsync(timeout, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever it is, and whenever it arrives: a failure seen after the run stopped the monitor (a localhost
            // cluster's membership read rejected by its dead primary, just as the run ended) must not escape either.
            if (!stop.IsCancellationRequested)
            {
                ClusterLog.MembershipCheckFailed(engine.Logger, runId, e);
            }

            return;
        }

        foreach (var silo in silos)
        {
            if (!silo.IsLost && !hosts.ContainsKey(silo.Address))
            {
                ClusterLog.SiloLost(engine.Logger, runId, silo.Name);
                silo.MarkLost("it left the cluster", LostSiloCause.Left);
                signal();
            }
        }
    }

    private TimeSpan Grace => engine.Options.ResponseGracePeriod;

    private TimeSpan Unresponsive => engine.Options.UnresponsiveSiloTimeout;

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
        foreach (var slot in slots)
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

        async Task CheckAsync(ClusterSlot<TIn> slot, ClusterAttempt<TIn> attempt)
        {
            try
            {
                var grain = slot.Grain;
                var progress = await grain.ProgressAsync(runId, attempt.Batch.StartIndex).WaitAsync(timeout < Unresponsive ? timeout : Unresponsive, stop).ConfigureAwait(false);
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
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // No answer: the silo may be gone or unreachable; CheckResponsiveness decides from how long it has been quiet.
                // After the run stopped the monitor, nothing to decide (and the failure must not escape).
                if (!stop.IsCancellationRequested)
                {
                    ClusterLog.MembershipCheckFailed(engine.Logger, runId, e);
                }
            }
        }
    }

    /// <summary>Leaves out silos that stopped answering, re-sends calls nobody confirms, and fails a run that makes no progress.</summary>
    private void CheckResponsiveness()
    {
        var unresponsive = Unresponsive;
        var quiet = silos.Where(s => !s.IsLost && s.SinceHeard > unresponsive && slots.Any(slot => slot.Silo == s && slot.InFlight is not null)).ToList();
        var answering = silos.Count(s => !s.IsLost) - quiet.Count;

        // Only while another silo still answers: when none does, the client itself is likely cut off, and the stall
        // check below ends the run with that diagnosis instead of blaming each silo in turn.
        if (answering > 0)
        {
            foreach (var silo in quiet)
            {
                ClusterLog.SiloUnresponsive(engine.Logger, runId, silo.Name, silo.SinceHeard.TotalSeconds);
                silo.MarkLost($"it answered nothing for {silo.SinceHeard.TotalSeconds:0} s", LostSiloCause.Unresponsive);
            }

            if (quiet.Count > 0)
            {
                signal();
            }
        }

        foreach (var slot in slots)
        {
            if (slot.InFlight is not null && !slot.Silo.IsLost && slot.SinceConfirmed() > unresponsive)
            {
                slot.CancelCall($"nothing confirmed the batch running for {slot.SinceConfirmed().TotalSeconds:0} s (the silo or the gateway the call went through is unreachable)", stuck: true);
            }
        }

        if (outstanding() == 0)
        {
            // Nothing owed by the cluster (the run is waiting for its input, or done): the stall clock does not run.
            Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());
            return;
        }

        var stalled = Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastProgress));
        if (stalled > engine.Options.StallTimeout && Volatile.Read(ref _unavailable) is null)
        {
            var states = string.Join("; ", silos.Select(s => s.IsLost ? $"{s.Name}: {s.LostReason}" : $"{s.Name}: last answered {s.SinceHeard.TotalSeconds:0} s ago"));
            var reason =
                $"The cluster made no progress for {stalled.TotalSeconds:0} s (StallTimeout, brigade run --cluster-timeout: {engine.Options.StallTimeout.TotalSeconds:0.#} s): " +
                $"no batch completed and no silo confirmed one running ({states}). The client may have lost its gateways, or the cluster cannot serve calls " +
                "(a localhost cluster whose primary silo died); the items not completed are counted as not run.";
            var lost = LostSilos();
            Volatile.Write(ref _lostAtStall, lost);
            if (Interlocked.CompareExchange(ref _unavailable, reason, null) is null)
            {
                ClusterLog.RunStalled(engine.Logger, runId, reason);

                // At once, not when the last slot leaves: failing the job also ends a take waiting for ordered delivery.
                job.Fail(new ClusterUnavailableException(reason) { LostSilos = lost, SiloCount = silos.Count });
                foreach (var silo in silos)
                {
                    // Stops the slots' calls; no news of the silos, so the run's record keeps only the silos lost before.
                    silo.MarkLost("the run stalled", LostSiloCause.Unresponsive, stall: true);
                }

                signal();
            }
        }
    }

    public List<string> LostSilos() => [.. silos.Where(s => s.IsLost && !s.LostToStall).Select(s => $"{s.Name}: {s.LostReason}")];
}
