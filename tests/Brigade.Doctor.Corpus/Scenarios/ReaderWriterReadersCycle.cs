namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Each thread holds a read lock and asks for the write lock of the other's: a writer waits for the readers.</summary>
public sealed class ReaderWriterReadersCycle : Scenario
{
    private static readonly ReaderWriterLockSlim Left = new();
    private static readonly ReaderWriterLockSlim Right = new();

    public override string Name => "rwlock-read-write-cycle";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["reader-left", "reader-right"]], WaitKinds = ["ReaderWriterLockWrite"] };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var t1 = Run("reader-left", () => { Left.EnterReadLock(); bothHold.SignalAndWait(); Right.EnterWriteLock(); });
        var t2 = Run("reader-right", () => { Right.EnterReadLock(); bothHold.SignalAndWait(); Left.EnterWriteLock(); });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        WaitUntilBlocked(t1, t2);
    }
}
