namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct twin of <see cref="AsyncLockOrderDeadlock"/>: the same two async locks in opposite orders, but the second
/// <c>WaitAsync</c> has a timeout: each wait gives up after 10 minutes (the dump shows the timeout). Listed, no deadlock.
/// </summary>
public sealed class AsyncLockOrderWithTimeout : Scenario
{
    public override string Name => "twin-async-lock-order-with-timeout";

    public override Expectation Expected => new(Finding.None)
    {
        TextContains = "SemaphoreSlim.WaitAsync with a timeout of 600000 ms on SemaphoreSlim (field Brigade.Doctor.Corpus.Scenarios.AsyncLockOrderWithTimeout.Shop._stock), count 0 of 1, 1 async waiter",
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
                if (await _stock.WaitAsync(TimeSpan.FromMinutes(10)))
                {
                    _stock.Release();
                }
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
                if (await _orders.WaitAsync(TimeSpan.FromMinutes(10)))
                {
                    _orders.Release();
                }
            }
            finally
            {
                _stock.Release();
            }
        }
    }
}
