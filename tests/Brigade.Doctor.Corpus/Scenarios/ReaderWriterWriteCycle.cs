namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Two <c>ReaderWriterLockSlim</c> write locks taken in opposite orders.</summary>
public sealed class ReaderWriterWriteCycle : Scenario
{
    private static readonly ReaderWriterLockSlim Catalog = new();
    private static readonly ReaderWriterLockSlim Prices = new();

    public override string Name => "rwlock-write-cycle";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["writer-1", "writer-2"]], WaitKinds = ["ReaderWriterLockWrite"] };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var t1 = Run("writer-1", () => { Catalog.EnterWriteLock(); bothHold.SignalAndWait(); Prices.EnterWriteLock(); });
        var t2 = Run("writer-2", () => { Prices.EnterWriteLock(); bothHold.SignalAndWait(); Catalog.EnterWriteLock(); });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(t1, t2);
    }
}
