using System.Runtime.CompilerServices;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 29d F3: the deadlock of <see cref="AsyncLockOrderDeadlock"/>, beside a thread that took and gave back a third
/// semaphore through a sync lock wrapper (<c>using (Lock()) { ... }</c>, where <c>Lock()</c> calls <c>Wait</c> and returns
/// a releaser) and now sleeps. That thread holds nothing (its <c>using</c> block is over): it must not count as a possible
/// holder of the cycle's semaphores.
/// </summary>
public sealed class AsyncLockOrderDeadlockBesideConfigured : Scenario
{
    private static readonly SemaphoreSlim Config = new(1, 1);
    private static int s_configured;

    public override string Name => "async-lock-order-deadlock-beside-configured";

    public override Expectation Expected => new(Finding.AsyncDeadlock)
    {
        AsyncCycle = ["Shop.PlaceOrderAsync", "Shop.RestockAsync"],
        HeldIn = "field Brigade.Doctor.Corpus.Scenarios.AsyncLockOrderDeadlockBesideConfigured.Shop._stock",
    };

    public override void Start()
    {
        var configurer = Run("configurer", ConfigureThenSleep);
        WaitUntil(() => Volatile.Read(ref s_configured) == 1);
        WaitUntilBlocked(configurer);
        var shop = new Shop(new SemaphoreSlim(1, 1), new SemaphoreSlim(1, 1));
        var main = Run("main-like", () => Task.WhenAll(shop.PlaceOrderAsync(), shop.RestockAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref shop.Waiting) == 2);
        WaitUntilBlocked(main);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Releaser Lock()
    {
        Config.Wait();
        return new Releaser();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ConfigureThenSleep()
    {
        using (Lock())
        {
            Volatile.Write(ref s_configured, 1);
        }

        Thread.Sleep(Timeout.Infinite);
    }

    private sealed class Releaser : IDisposable
    {
        public void Dispose() => Config.Release();
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
