namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Two async flows use <c>SemaphoreSlim(1, 1)</c>s as async locks and take them in opposite orders: each holds one and
/// awaits the other's <c>WaitAsync</c>. No thread is blocked on a lock (the main-like thread waits on
/// <c>Task.WhenAll</c>); a semaphore records no owner, so it is reported as a possible deadlock.
/// </summary>
public sealed class AsyncLockOrderDeadlock : Scenario
{
    public override string Name => "async-lock-order-deadlock";

    public override Expectation Expected => new(Finding.AsyncDeadlock)
    {
        AsyncCycle = ["Shop.PlaceOrderAsync", "Shop.RestockAsync"],
        HeldIn = "field Brigade.Doctor.Corpus.Scenarios.AsyncLockOrderDeadlock.Shop._stock",
    };

    public override void Start()
    {
        var shop = new Shop(new SemaphoreSlim(1, 1), new SemaphoreSlim(1, 1));
        var main = Run("main-like", () => Task.WhenAll(shop.PlaceOrderAsync(), shop.RestockAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref shop.Waiting) == 2);
        WaitUntilBlocked(main);
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
