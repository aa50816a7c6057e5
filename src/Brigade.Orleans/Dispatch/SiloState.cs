using Brigade.Reporting;

namespace Brigade.Orleans.Dispatch;

/// <summary>A silo taking part in a run: its address, its slots, and a token that trips when it leaves the cluster.</summary>
/// <remarks>Tripping <see cref="LostToken"/> cancels the calls in flight on the silo at once (Orleans completes a
/// cancelled call locally without waiting for the callee), so their batches go back to the queue instead of waiting for
/// a response that will never come.</remarks>
internal sealed class SiloState(SiloAddress address, string name, int workers) : IDisposable
{
    private readonly CancellationTokenSource _lost = new();

    // Makes a loss's reason and kind one decision: the monitor's stall verdict and a slot's own finding can race.
    private readonly Lock _markGate = new();
    private volatile bool _isLost;
    private long _lastHeard = System.Diagnostics.Stopwatch.GetTimestamp();

    public SiloAddress Address => address;

    public string Name => name;

    public int Workers => workers;

    public bool IsLost => _isLost;

    public CancellationToken LostToken => _lost.Token;

    /// <summary>Gets how long ago the silo last answered anything of this run (a batch, a progress check).</summary>
    public TimeSpan SinceHeard => System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastHeard));

    /// <summary>Records that the silo answered.</summary>
    public void Heard() => Interlocked.Exchange(ref _lastHeard, System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>Gets why the run stopped using the silo.</summary>
    public string LostReason { get; private set; } = "";

    /// <summary>Gets the kind of <see cref="LostReason"/>.</summary>
    public LostSiloCause LostCause { get; private set; }

    /// <summary>Gets whether the run stopped using the silo only because the whole run stalled
    /// (<see cref="MarkLost(string, LostSiloCause, bool)"/> with <c>stall</c>): that is no news of this silo, so the run does not record it
    /// as lost (lib52).</summary>
    public bool LostToStall { get; private set; }

    /// <summary>Stops the run's use of the silo (the first reason stands) and cancels its calls in flight.</summary>
    /// <param name="reason">Why, for reports ("it left the cluster").</param>
    /// <param name="cause">The kind of <paramref name="reason"/>.</param>
    /// <param name="stall">Whether only the run's stall verdict is the reason, not anything seen of this silo.</param>
    public void MarkLost(string reason, LostSiloCause cause, bool stall = false)
    {
        lock (_markGate)
        {
            if (_isLost)
            {
                return;
            }

            LostReason = reason;
            LostCause = cause;
            LostToStall = stall;
            _isLost = true;
        }

        try
        {
            _lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run is over.
        }
    }

    public void Dispose() => _lost.Dispose();
}
