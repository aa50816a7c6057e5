namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 59: a connection pool whose <c>Rent</c> waits for a free slot (<c>SemaphoreSlim.Wait()</c>) inside its
/// <c>lock</c>, and whose <c>Return</c> takes that lock before it releases the slot: the renter waits for the returner, the
/// returner for the renter's lock. A semaphore records no owner; the returner's code releases it after the lock.
/// </summary>
public sealed class SemaphoreWaitUnderLockReleaserBehind : Scenario
{
    public override string Name => "semaphore-wait-under-lock-releaser-behind";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["renter", "returner"]],
        WaitKinds = ["Monitor", "SemaphoreSlim"],
    };

    public override void Start()
    {
        var pool = new ConnectionPool();
        var first = pool.Rent();
        var renter = Run("renter", () => pool.Rent());
        WaitUntilBlocked(renter);
        var returner = Run("returner", () => pool.Return(first));
        WaitUntilBlocked(renter, returner);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "It lives as long as the hung program, as an application's pool does.")]
    private sealed class ConnectionPool
    {
        private readonly object _gate = new();
        private readonly SemaphoreSlim _free = new(1, 1);
        private readonly Queue<int> _idle = new([1]);

        public int Rent()
        {
            lock (_gate)
            {
                _free.Wait();
                return _idle.Dequeue();
            }
        }

        public void Return(int connection)
        {
            lock (_gate)
            {
                _idle.Enqueue(connection);
                _free.Release();
            }
        }
    }
}
