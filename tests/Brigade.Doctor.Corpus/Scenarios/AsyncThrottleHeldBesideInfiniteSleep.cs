namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 43's leftover: the async throttle hang of <see cref="AsyncThrottleHeldAcrossAwaitedWhenAll"/> in a
/// program with another thread parked in <c>Thread.Sleep(Timeout.Infinite)</c>, as services and console hosts park their
/// main thread. Any sleeping thread counted as one that may still release the slots, so the hang was listed, not reported.
/// A sleep that never wakes releases nothing: an async hang (<c>BRG1008</c>).</summary>
public sealed class AsyncThrottleHeldBesideInfiniteSleep : Scenario
{
    private static readonly SemaphoreSlim Throttle = new(2, 2);
    private static readonly TaskCompletionSource BothIn = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static int s_lines;
    private static int s_orders;

    public override string Name => "async-throttle-held-beside-infinite-sleep";

    public override Expectation Expected => new(Finding.AsyncHang)
    {
        TextContains = "SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.AsyncThrottleHeldBesideInfiniteSleep.Throttle), count 0 of 2",
    };

    public override void Start()
    {
        var all = Task.WhenAll(Enumerable.Range(0, 2).Select(ShipOrderAsync));
        var waiter = Run("orders-waiter", () => all.GetAwaiter().GetResult());
        var parked = Run("parked", () => Thread.Sleep(Timeout.Infinite));
        WaitUntil(() => Volatile.Read(ref s_lines) == 6 && Throttle.CurrentCount == 0);
        WaitUntilBlocked(waiter, parked);
    }

    private static async Task ShipOrderAsync(int order)
    {
        await Task.Yield();
        await Throttle.WaitAsync();
        try
        {
            if (Interlocked.Increment(ref s_orders) == 2)
            {
                BothIn.SetResult();
            }

            await BothIn.Task;
            await Task.WhenAll(Enumerable.Range(0, 3).Select(ShipLineAsync));
        }
        finally
        {
            Throttle.Release();
        }
    }

    private static async Task ShipLineAsync(int line)
    {
        Interlocked.Increment(ref s_lines);
        await Throttle.WaitAsync();
        try
        {
            await Task.Delay(10);
        }
        finally
        {
            Throttle.Release();
        }
    }
}
