namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 37: a <c>SemaphoreSlim(1, 1)</c> used as a lock; an event raised under it calls back into a method that
/// takes it again, on the same thread (a semaphore is not reentrant). A possible deadlock of one thread.</summary>
public sealed class SemaphoreReenteredByHandler : Scenario
{
    public override string Name => "semaphore-reentered-by-handler";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["importer"]],
        WaitKinds = ["SemaphoreSlim"],
        HeldIn = "field Brigade.Doctor.Corpus.Scenarios.SemaphoreReenteredByHandler.Inventory._gate",
        TextContains = "whose only slot it took itself",
    };

    public override void Start()
    {
        var inventory = new Inventory(new SemaphoreSlim(1, 1));
        inventory.Changed += () => _ = inventory.Count();
        WaitUntilBlocked(Run("importer", () => inventory.Add("apple")));
    }

    private sealed class Inventory
    {
        private readonly SemaphoreSlim _gate;
        private readonly List<string> _items = [];

        public Inventory(SemaphoreSlim gate) => _gate = gate;

        public event Action? Changed;

        public void Add(string item)
        {
            _gate.Wait();
            try
            {
                _items.Add(item);
                Changed?.Invoke();
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
                return _items.Count;
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
