namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 37: an async document store guarded by a <c>SemaphoreSlim(1, 1)</c> "async lock"; <c>SaveAsync</c>
/// validates through a helper that takes the same lock again (a semaphore is not reentrant). One flow waits on itself.</summary>
public sealed class AsyncLockReentered : Scenario
{
    public override string Name => "async-lock-reentered";

    public override Expectation Expected => new(Finding.AsyncDeadlock)
    {
        AsyncCycle = ["DocumentStore.ExistsAsync"],
        TextContains = "this same flow took its slot earlier",
    };

    public override void Start()
    {
        var store = new DocumentStore(new SemaphoreSlim(1, 1));
        var caller = Run("caller", () => store.SaveAsync("doc-1").GetAwaiter().GetResult());
        WaitUntil(() => store.Waiting);
        WaitUntilBlocked(caller);
    }

    private sealed class DocumentStore(SemaphoreSlim gate)
    {
        private readonly SemaphoreSlim _lock = gate;
        private readonly Dictionary<string, int> _docs = [];

        public bool Waiting => _lock.CurrentCount == 0 && Volatile.Read(ref _validating) == 1;

        private int _validating;

        public async Task SaveAsync(string id)
        {
            await _lock.WaitAsync();
            try
            {
                await Task.Yield();
                await ValidateAsync(id);
                _docs[id] = 1;
            }
            finally
            {
                _lock.Release();
            }
        }

        private async Task ValidateAsync(string id)
        {
            Volatile.Write(ref _validating, 1);
            if (await ExistsAsync(id))
            {
                throw new InvalidOperationException("exists");
            }
        }

        private async Task<bool> ExistsAsync(string id)
        {
            await _lock.WaitAsync();
            try
            {
                return _docs.ContainsKey(id);
            }
            finally
            {
                _lock.Release();
            }
        }
    }
}
