namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 43's leftover: the async throttle hang of <see cref="AsyncThrottleHeldAcrossAwaitedWhenAll"/> (its
/// flows, run here in a process of their own) with another thread parked in <c>Thread.Sleep(Timeout.Infinite)</c>, as
/// services and console hosts park their main thread. Any sleeping thread counted as one that may still release the slots,
/// so the hang was listed, not reported. A sleep that never wakes releases nothing: an async hang (<c>BRG1008</c>).</summary>
public sealed class AsyncThrottleHeldBesideInfiniteSleep : Scenario
{
    public override string Name => "async-throttle-held-beside-infinite-sleep";

    public override Expectation Expected => new(Finding.AsyncHang)
    {
        TextContains = "SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.AsyncThrottleHeldAcrossAwaitedWhenAll.Throttle), count 0 of 2",
    };

    public override void Start()
    {
        var all = AsyncThrottleHeldAcrossAwaitedWhenAll.StartOrders();
        var waiter = Run("orders-waiter", () => all.GetAwaiter().GetResult());
        var parked = Run("parked", () => Thread.Sleep(Timeout.Infinite));
        WaitUntil(AsyncThrottleHeldAcrossAwaitedWhenAll.InState);
        WaitUntilBlocked(waiter, parked);
    }
}
