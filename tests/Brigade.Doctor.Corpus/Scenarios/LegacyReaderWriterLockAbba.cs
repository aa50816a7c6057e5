namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Doctor67: two legacy <c>System.Threading.ReaderWriterLock</c>s (not the Slim one) taken in opposite orders (the
/// second thread asks for a read lock, which waits for the writer too). Read "No pitfall found": each wait was one on the
/// lock's internal event (an <c>AutoResetEvent</c>, a <c>ManualResetEventSlim</c>) with "no owner to blame". Beside it, a
/// reader of a third one waits for a plain lock whose holder waits to write it (its owner a reader: each thread's lock
/// entries, not a field of the lock).
/// </summary>
public sealed class LegacyReaderWriterLockAbba : Scenario
{
    private static readonly ReaderWriterLock Ledger = new();
    private static readonly ReaderWriterLock Audit = new();
    private static readonly ReaderWriterLock Journal = new();
    private static readonly object Gate = new();

    public override string Name => "legacy-rwlock-abba";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["ledger-then-audit", "audit-then-ledger"], ["journal-reader", "journal-writer"]],
        WaitKinds = ["Monitor", "ReaderWriterLockRead", "ReaderWriterLockWrite"],
        TextContains = "2 threads wait for each other in a cycle (ReaderWriterLock); none of them can ever proceed",
        HeldIn = "static field Brigade.Doctor.Corpus.Scenarios.LegacyReaderWriterLockAbba.Journal",
    };

    public override void Start()
    {
        var bothHold = new Barrier(2);
        var a = Run("ledger-then-audit", () => { Ledger.AcquireWriterLock(Timeout.Infinite); bothHold.SignalAndWait(); Audit.AcquireWriterLock(Timeout.Infinite); });
        var b = Run("audit-then-ledger", () => { Audit.AcquireWriterLock(Timeout.Infinite); bothHold.SignalAndWait(); Ledger.AcquireReaderLock(Timeout.Infinite); });
        WaitUntil(() => bothHold.CurrentPhaseNumber > 0);
        var readerHolds = new Barrier(2);
        var reader = Run("journal-reader", () => { Journal.AcquireReaderLock(Timeout.Infinite); readerHolds.SignalAndWait(); lock (Gate) { CpuLoop.Sink++; } });
        var writer = Run("journal-writer", () => { lock (Gate) { readerHolds.SignalAndWait(); Journal.AcquireWriterLock(-1); } });
        WaitUntil(() => readerHolds.CurrentPhaseNumber > 0);
        WaitUntilBlocked(a, b, reader, writer);
    }
}
