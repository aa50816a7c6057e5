namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 50: a thread takes a <c>ReaderWriterLockSlim</c>'s upgradeable read lock and returns without exiting it (an
/// early return with no <c>finally</c>); another thread then waits for the write lock for ever. The holder is no live
/// thread: it was "held by thread #N (not in the dump); 1 readers inside", and the line ended with "no thread holds it at
/// this instant: its holder had just released it", which is false.
/// </summary>
public sealed class NewUpgradeableReadLeftByEndedThread : Scenario
{
    private static readonly ReaderWriterLockSlim Prices = new();

    public override string Name => "new-upgradeable-read-left-by-ended-thread";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["repricer"],
        WaitKinds = ["ReaderWriterLockWrite"],
        TextContains = "which has ended (no live thread has that id): a lock its thread still held when it exited is never released",
    };

    public override void Start()
    {
        // The waiter starts first: a thread that ended gives its managed id back, and a thread started after it could get
        // that id and so own the upgradeable lock itself.
        using var go = new ManualResetEventSlim();
        var entering = 0;
        var repricer = Run("repricer", () =>
        {
            go.Wait();
            Volatile.Write(ref entering, 1);
            Prices.EnterWriteLock();
        });
        Run("price-check", () => Prices.EnterUpgradeableReadLock()).Join();
        go.Set();
        WaitUntil(() => Volatile.Read(ref entering) == 1);
        WaitUntilBlocked(repricer);
    }
}
