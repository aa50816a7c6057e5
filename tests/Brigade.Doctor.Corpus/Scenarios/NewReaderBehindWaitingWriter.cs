namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 52: a report holds a <c>ReaderWriterLockSlim</c>'s read lock while it waits for an event the loader sets after
/// writing; the loader waits for the write lock; a dashboard then asks for a read lock and waits behind the waiting writer
/// (writers go first). The dashboard's wait read "held by thread 'loader'", which holds nothing: it waits too.
/// </summary>
public sealed class NewReaderBehindWaitingWriter : Scenario
{
    private static readonly ReaderWriterLockSlim Prices = new();
    private static readonly ManualResetEventSlim Loaded = new();

    public override string Name => "new-reader-behind-waiting-writer";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["report"],
        WaitKinds = ["ManualResetEventSlim"],
        TextContains = "queued behind the waiting writer thread 'loader'",
    };

    public override void Start()
    {
        var reading = 0;
        var report = Run("report", () =>
        {
            Prices.EnterReadLock();
            Volatile.Write(ref reading, 1);
            Loaded.Wait();
        });
        WaitUntil(() => Volatile.Read(ref reading) == 1);
        WaitUntilBlocked(report);
        var loader = Run("loader", () =>
        {
            Prices.EnterWriteLock();
            Loaded.Set();
        });
        WaitUntil(() => Prices.WaitingWriteCount == 1);
        WaitUntilBlocked(loader);
        var dashboard = Run("dashboard", () => Prices.EnterReadLock());
        WaitUntil(() => Prices.WaitingReadCount == 1);
        WaitUntilBlocked(dashboard);
    }
}
