namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Audit 4, the twin of <c>semaphore-reentered-by-sync-running-flow</c>: <c>SaveChangesAsync</c> releases the
/// slot it took with <c>await WaitAsync()</c> before raising the event, and the handler's <c>Wait()</c> waits because
/// another thread (asleep) holds the slot. Busy, not a self-deadlock.</summary>
public sealed class TwinSemaphoreFlowReleasedBeforeHandler : Scenario
{
    private static int _sleeping;

    public override string Name => "twin-semaphore-flow-released-before-handler";

    public override Expectation Expected => new(Finding.None) { Blocked = ["saver"], WaitKinds = ["SemaphoreSlim"] };

    public override void Start()
    {
        var unitOfWork = new UnitOfWork();
        unitOfWork.SavingChanges += (_, _) => _ = unitOfWork.Count();
        var holder = Run("auditor", unitOfWork.HoldAsleep);
        WaitUntil(() => Volatile.Read(ref _sleeping) == 1);
        WaitUntilBlocked(holder, Run("saver", () => unitOfWork.SaveChangesAsync().GetAwaiter().GetResult()));
    }

    private sealed class UnitOfWork : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly SemaphoreSlim _saving = new(1, 1);
        private readonly List<int> _pending = [];

        public event EventHandler? SavingChanges;

        public void Dispose()
        {
            _gate.Dispose();
            _saving.Dispose();
        }

        public void HoldAsleep()
        {
            _gate.Wait();
            try
            {
                Volatile.Write(ref _sleeping, 1);
                Thread.Sleep(Timeout.Infinite);
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
            await _saving.WaitAsync();
            _saving.Release();
            SavingChanges?.Invoke(this, EventArgs.Empty);
            await Task.Delay(10);
        }
    }
}
