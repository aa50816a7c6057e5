namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 29d F3 (related): the deadlock of <see cref="AsyncLockOrderDeadlock"/>, beside a worker that runs inside a
/// throttle of its own (a local <c>SemaphoreSlim</c>: <c>throttle.Wait()</c>, then a long sleep before its
/// <c>Release</c>). The worker holds that local semaphore, which its frame roots, and no other: it must not count as a
/// possible holder of the cycle's semaphores.
/// </summary>
public sealed class AsyncLockOrderDeadlockBesideThrottledWorker : Scenario
{
    private static int s_throttled;

    public override string Name => "async-lock-order-deadlock-beside-throttled-worker";

    public override Expectation Expected => new(Finding.AsyncDeadlock)
    {
        AsyncCycle = ["Shop.PlaceOrderAsync", "Shop.RestockAsync"],
        HeldIn = "field Brigade.Doctor.Corpus.Scenarios.AsyncLockOrderDeadlockBesideThrottledWorker.Shop._stock",
    };

    public override void Start()
    {
        var worker = Run("worker", Work);
        WaitUntil(() => Volatile.Read(ref s_throttled) == 1);
        WaitUntilBlocked(worker);
        var shop = new Shop(new SemaphoreSlim(1, 1), new SemaphoreSlim(1, 1));
        var main = Run("main-like", () => Task.WhenAll(shop.PlaceOrderAsync(), shop.RestockAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref shop.Waiting) == 2);
        WaitUntilBlocked(main);
    }

    private static void Work()
    {
        using var throttle = new SemaphoreSlim(1, 1);
        throttle.Wait();
        try
        {
            Volatile.Write(ref s_throttled, 1);
            Thread.Sleep(TimeSpan.FromHours(1));
        }
        finally
        {
            throttle.Release();
        }
    }

    private sealed class Shop(SemaphoreSlim orders, SemaphoreSlim stock)
    {
        private readonly SemaphoreSlim _orders = orders;
        private readonly SemaphoreSlim _stock = stock;
        private readonly TaskCompletionSource _ordersHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _stockHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Waiting;

        public async Task PlaceOrderAsync()
        {
            await _orders.WaitAsync();
            try
            {
                _ordersHeld.SetResult();
                await _stockHeld.Task;
                Interlocked.Increment(ref Waiting);
                await _stock.WaitAsync();
                _stock.Release();
            }
            finally
            {
                _orders.Release();
            }
        }

        public async Task RestockAsync()
        {
            await _stock.WaitAsync();
            try
            {
                _stockHeld.SetResult();
                await _ordersHeld.Task;
                Interlocked.Increment(ref Waiting);
                await _orders.WaitAsync();
                _orders.Release();
            }
            finally
            {
                _stock.Release();
            }
        }
    }
}
