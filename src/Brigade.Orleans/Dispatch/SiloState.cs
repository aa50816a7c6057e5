namespace Brigade.Orleans.Dispatch;

/// <summary>A silo taking part in a run: its address, its slots, and a token that trips when it leaves the cluster.</summary>
/// <remarks>Tripping <see cref="LostToken"/> cancels the calls in flight on the silo at once (Orleans completes a
/// cancelled call locally without waiting for the callee), so their batches go back to the queue instead of waiting for
/// a response that will never come.</remarks>
internal sealed class SiloState(SiloAddress address, string name, int workers) : IDisposable
{
    private readonly CancellationTokenSource _lost = new();
    private volatile bool _isLost;

    public SiloAddress Address => address;

    public string Name => name;

    public int Workers => workers;

    public bool IsLost => _isLost;

    public CancellationToken LostToken => _lost.Token;

    public void MarkLost()
    {
        if (_isLost)
        {
            return;
        }

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
