namespace Brigade.Orleans.Dispatch;

/// <summary>A silo taking part in a run: its address, its slots, and a token that trips when it leaves the cluster.</summary>
/// <remarks>Tripping <see cref="LostToken"/> cancels the calls in flight on the silo at once (Orleans completes a
/// cancelled call locally without waiting for the callee), so their batches go back to the queue instead of waiting for
/// a response that will never come.</remarks>
internal sealed class SiloState(SiloAddress address, string name, int workers) : IDisposable
{
    private readonly CancellationTokenSource _lost = new();
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

    public void MarkLost(string reason)
    {
        if (_isLost)
        {
            return;
        }

        LostReason = reason;
        _isLost = true;
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
