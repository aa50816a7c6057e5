namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Audit 4: an EF-like unit of work guards its state with a <c>SemaphoreSlim(1, 1)</c>; <c>SaveChangesAsync</c>
/// takes it with <c>await WaitAsync()</c> (free: the await does not suspend, the flow runs on) and raises
/// <c>SavingChanges</c>, whose handler calls a synchronous method that takes the same semaphore with <c>Wait()</c>, on the
/// same thread. A possible deadlock of one thread, missed before ("no owner to blame") because only a synchronous
/// <c>Wait</c> further down the stack counted as taking the slot.</summary>
public sealed class SemaphoreReenteredBySyncRunningFlow : Scenario
{
    public override string Name => "semaphore-reentered-by-sync-running-flow";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["saver"]],
        WaitKinds = ["SemaphoreSlim"],
        HeldIn = "field Brigade.Doctor.Corpus.Scenarios.SemaphoreReenteredBySyncRunningFlow.UnitOfWork._gate",
        TextContains = "this thread took its slot earlier in Brigade.Doctor.Corpus.Scenarios.SemaphoreReenteredBySyncRunningFlow+UnitOfWork.SaveChangesAsync",
    };

    public override void Start()
    {
        var unitOfWork = new UnitOfWork();
        unitOfWork.SavingChanges += (_, _) => _ = unitOfWork.Count();
        unitOfWork.Add(1);
        WaitUntilBlocked(Run("saver", () => unitOfWork.SaveChangesAsync().GetAwaiter().GetResult()));
    }

    private sealed class UnitOfWork : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly List<int> _pending = [];

        public event EventHandler? SavingChanges;

        public void Dispose()
        {
            _gate.Dispose();
        }

        public void Add(int item)
        {
            _gate.Wait();
            try
            {
                _pending.Add(item);
            }
            finally
            {
                _gate.Release();
            }
        }

        public int Count()
        {
            _gate.Wait();
            try
            {
                return _pending.Count;
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task SaveChangesAsync()
        {
            await _gate.WaitAsync();
            try
            {
                SavingChanges?.Invoke(this, EventArgs.Empty);
                await Task.Delay(10);
                _pending.Clear();
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
