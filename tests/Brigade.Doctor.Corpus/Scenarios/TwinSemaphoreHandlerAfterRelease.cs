namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 37, the twin of <c>semaphore-reentered-by-handler</c>: the event is raised after the semaphore's
/// <c>Release</c>, and its handler waits because another thread (asleep) holds the slot. Busy, not a self-deadlock.</summary>
public sealed class TwinSemaphoreHandlerAfterRelease : Scenario
{
    private static int _sleeping;

    public override string Name => "twin-semaphore-handler-after-release";

    public override Expectation Expected => new(Finding.None) { Blocked = ["importer"], WaitKinds = ["SemaphoreSlim"] };

    public override void Start()
    {
        var inventory = new Inventory(new SemaphoreSlim(1, 1));
        inventory.Changed += () => _ = inventory.Count();
        var holder = Run("auditor", inventory.HoldAsleep);
        WaitUntil(() => Volatile.Read(ref _sleeping) == 1);
        WaitUntilBlocked(holder, Run("importer", () => inventory.Add("apple")));
    }

    private sealed class Inventory
    {
        private readonly SemaphoreSlim _gate;
        private readonly List<string> _items = [];

        public Inventory(SemaphoreSlim gate) => _gate = gate;

        public event Action? Changed;

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

        public void Add(string item)
        {
            lock (_items)
            {
                _items.Add(item);
            }

            Changed?.Invoke();
        }

        public int Count()
        {
            _gate.Wait();
            try
            {
                return _items.Count;
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
