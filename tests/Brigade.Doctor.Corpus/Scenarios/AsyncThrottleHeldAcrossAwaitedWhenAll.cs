namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 43: the throttle deadlock with no thread holding the slots. Two orders, async flows, each take the
/// throttle (<c>SemaphoreSlim(2, 2)</c>) and <em>awaits</em> <c>Task.WhenAll</c> of line flows that take the same
/// throttle; a thread waits for all orders with <c>GetAwaiter().GetResult()</c>. The two holders are suspended flows,
/// awaiting joins of flows stuck on the throttle: nothing can release it. Before: no pitfall (a holder awaiting anything
/// but a semaphore counted as busy); an async hang (<c>BRG1008</c>) naming the two flows that took the slots.</summary>
public sealed class AsyncThrottleHeldAcrossAwaitedWhenAll : Scenario
{
    private static readonly SemaphoreSlim Throttle = new(2, 2);
    private static readonly TaskCompletionSource BothIn = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static int s_lines;
    private static int s_orders;

    public override string Name => "async-throttle-held-across-awaited-when-all";

    public override Expectation Expected => new(Finding.AsyncHang)
    {
        TextContains = "SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.AsyncThrottleHeldAcrossAwaitedWhenAll.Throttle), count 0 of 2",
    };

    public override void Start()
    {
        var all = StartOrders();
        var main = Run("main-like", () => all.GetAwaiter().GetResult());
        WaitUntil(InState);
        WaitUntilBlocked(main);
    }

    /// <summary>Starts the two orders (the scenario's flows; also <see cref="AsyncThrottleHeldBesideInfiniteSleep"/>'s).</summary>
    internal static Task StartOrders() => Task.WhenAll(Enumerable.Range(0, 2).Select(ShipOrderAsync));

    /// <summary>Whether every line flow waits for the throttle, whose two slots the orders hold.</summary>
    internal static bool InState() => Volatile.Read(ref s_lines) == 6 && Throttle.CurrentCount == 0;

    private static async Task ShipOrderAsync(int order)
    {
        await Task.Yield();
        await Throttle.WaitAsync();
        try
        {
            // Both orders hold their slots before any line asks for one.
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
