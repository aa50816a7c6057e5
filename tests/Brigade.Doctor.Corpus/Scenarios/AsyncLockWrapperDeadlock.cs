#pragma warning disable CA1001 // a corpus program: its objects live until the process ends

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// The "AsyncLock" wrapper (<c>using (await _lock.LockAsync())</c>, where <c>LockAsync</c> awaits its own
/// <c>SemaphoreSlim.WaitAsync</c> and returns a releaser) taken in opposite orders by two flows: each holds one lock and
/// awaits the other's <c>LockAsync</c>. The slot was taken in a callee that has returned; the caller's await of
/// <c>LockAsync</c> is the acquisition, so this is a possible deadlock (BRG1001), not a leaked slot.
/// </summary>
public sealed class AsyncLockWrapperDeadlock : Scenario
{
    public override string Name => "async-lock-wrapper-deadlock";

    public override Expectation Expected => new(Finding.AsyncDeadlock)
    {
        AsyncCycle = ["AsyncLock.LockAsync", "AsyncLock.LockAsync"],
        HeldIn = "field Brigade.Doctor.Corpus.Scenarios.AsyncLockWrapperDeadlock.Inventory._stockLock._semaphore",
    };

    public override void Start()
    {
        var inventory = new Inventory();
        var main = Run("main-like", () => Task.WhenAll(inventory.ReserveAsync(), inventory.CancelAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref inventory.Waiting) == 2);
        WaitUntilBlocked(main);
        Thread.Sleep(200);
    }

    /// <summary>Toub's / Nito.AsyncEx's shape of an async lock.</summary>
    private sealed class AsyncLock
    {
        private readonly SemaphoreSlim _semaphore = new(1, 1);

        public async Task<IDisposable> LockAsync()
        {
            await _semaphore.WaitAsync();
            return new Releaser(_semaphore);
        }

        private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
        {
            public void Dispose() => semaphore.Release();
        }
    }

    private sealed class Inventory
    {
        private readonly AsyncLock _stockLock = new();
        private readonly AsyncLock _ordersLock = new();
        private readonly TaskCompletionSource _stockHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _ordersHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Waiting;

        public async Task ReserveAsync()
        {
            using (await _stockLock.LockAsync())
            {
                _stockHeld.SetResult();
                await _ordersHeld.Task;
                Interlocked.Increment(ref Waiting);
                using (await _ordersLock.LockAsync())
                {
                    Console.WriteLine("reserved");
                }
            }
        }

        public async Task CancelAsync()
        {
            using (await _ordersLock.LockAsync())
            {
                _ordersHeld.SetResult();
                await _stockHeld.Task;
                Interlocked.Increment(ref Waiting);
                using (await _stockLock.LockAsync())
                {
                    Console.WriteLine("cancelled");
                }
            }
        }
    }
}
