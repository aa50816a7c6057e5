namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 56: the async ABBA of <see cref="AsyncLockOrderDeadlock"/> as a service has it: two requests take two
/// <c>SemaphoreSlim(1, 1)</c>s in opposite orders and nothing waits on them (no thread blocked on a task, the main thread
/// reads stdin). Before, the heap was walked only for a thread waiting on a task or a semaphore: "No pitfall found".
/// </summary>
public sealed class AsyncLockOrderDeadlockUnawaited : Scenario
{
    public override string Name => "async-lock-order-deadlock-unawaited";

    public override Expectation Expected => new(Finding.AsyncDeadlock)
    {
        AsyncCycle = ["Catalog.ReserveAsync", "Catalog.ReplenishAsync"],
        TextContains = "holds its slot (it passed await ",
    };

    public override void Start()
    {
        var catalog = new Catalog(new SemaphoreSlim(1, 1), new SemaphoreSlim(1, 1));
        _ = Task.Run(catalog.ReserveAsync);
        _ = Task.Run(catalog.ReplenishAsync);
        // Each flow calls its second WaitAsync right after counting itself; the dump comes seconds after "ready".
        WaitUntil(() => Volatile.Read(ref catalog.Waiting) == 2);
    }

    private sealed class Catalog(SemaphoreSlim prices, SemaphoreSlim shelves)
    {
        private readonly SemaphoreSlim _prices = prices;
        private readonly SemaphoreSlim _shelves = shelves;
        private readonly TaskCompletionSource _pricesHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _shelvesHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Waiting;

        public async Task ReserveAsync()
        {
            await _prices.WaitAsync();
            try
            {
                _pricesHeld.SetResult();
                await _shelvesHeld.Task;
                Interlocked.Increment(ref Waiting);
                await _shelves.WaitAsync();
                _shelves.Release();
            }
            finally
            {
                _prices.Release();
            }
        }

        public async Task ReplenishAsync()
        {
            await _shelves.WaitAsync();
            try
            {
                _shelvesHeld.SetResult();
                await _pricesHeld.Task;
                Interlocked.Increment(ref Waiting);
                await _prices.WaitAsync();
                _prices.Release();
            }
            finally
            {
                _shelves.Release();
            }
        }
    }
}
