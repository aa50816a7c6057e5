namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 60 (left by review 59): the connection pool of <see cref="SemaphoreWaitUnderLockReleaserBehind"/>, whose
/// <c>Return</c> gives the slot back through a helper of its own (<c>Signal() =&gt; _free.Release()</c>) inside the lock the
/// renter holds. Only the releaser's innermost method was read, so the helper's <c>Release</c> was missed: "No pitfall found".
/// </summary>
public sealed class SemaphoreWaitUnderLockReleaserCallsHelper : Scenario
{
    public override string Name => "semaphore-wait-under-lock-releaser-calls-helper";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["renter", "returner"]],
        WaitKinds = ["Monitor", "SemaphoreSlim"],
        TextContains = "in its call to Brigade.Doctor.Corpus.Scenarios.SemaphoreWaitUnderLockReleaserCallsHelper+ConnectionPool.Signal, calls Release on it after the lock it waits for) by thread 'returner'",
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
                Signal();
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private void Signal() => _free.Release();
    }
}
