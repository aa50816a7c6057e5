using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Brigade.Orleans.Dispatch;

/// <summary>One worker slot: a grain on one silo, the report worker that records its batches, and its batch in flight.</summary>
internal sealed class ClusterSlot<TIn>(SiloState silo, int index, Func<int, Grains.IWorkerGrain> grains)
{
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromSeconds(2);

    // How long the end of a run waits for its slot grains to hear that they can go.
    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(2);

    private volatile Grains.IWorkerGrain _grain = grains(0);
    private int _generation;

    public SiloState Silo => silo;

    public int Index => index;

    public Grains.IWorkerGrain Grain => _grain;

    public EngineWorker Worker { get; set; } = null!;

    // Read by StopInFlight and the monitor from other threads.
    public volatile ClusterAttempt<TIn>? InFlight;

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

    /// <summary>Waits before the slot's next call after a failed one, longer while its calls keep failing.</summary>
    /// <returns>False when the slot's silo is lost: the slot leaves the run.</returns>
    public async Task<bool> PauseAfterFailureAsync()
    {
        if (silo.IsLost)
        {
            return false;
        }

        // The silo is still a member: the slot stays, after a pause that grows while its calls keep failing.
        ConsecutiveFailures++;
        var pause = FailureBackoff * ConsecutiveFailures;
        await Task.Delay(pause < MaxFailureBackoff ? pause : MaxFailureBackoff).ConfigureAwait(false);
        return true;
    }

    /// <summary>Asks the grain of every slot with a batch in flight to stop it before its next item (one-way).</summary>
    public static void StopAll(IEnumerable<ClusterSlot<TIn>> slots, Guid runId, ILogger logger)
    {
        foreach (var slot in slots)
        {
            if (slot.InFlight is not null)
            {
                try
                {
                    // One-way: returns at once; a silo that is gone simply never sees it.
                    _ = slot.Grain.StopAsync(runId);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    ClusterLog.StopNotDelivered(logger, runId, slot.Silo.Name, e);
                }
            }
        }
    }

    /// <summary>
    /// Tells every slot grain of the run that it can go, and waits (briefly) for them to hear it: a client that exits
    /// right after its run (the CLI) must not leave the silos counting the run as active until Orleans collects the grains.
    /// </summary>
    public static async Task ReleaseAllAsync(IEnumerable<ClusterSlot<TIn>> slots, Guid runId, ILogger logger)
    {
        var calls = new List<Task>();
        foreach (var slot in slots.Where(s => !s.Silo.IsLost))
        {
            try
            {
                calls.Add(slot.Grain.ReleaseAsync());
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                ClusterLog.StopNotDelivered(logger, runId, slot.Silo.Name, e);
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
}
