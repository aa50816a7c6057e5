namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 45: a <c>ReaderWriterLockSlim</c> read lock taken by a pool work item that returned without releasing it
/// (as an async method that takes it before an await and releases it after, on another thread, where the release throws);
/// a writer waits for it. Not provable as a hang (code on that pool thread could still release it), so it is listed, but
/// the report says the holder is idle, back in the pool, and what that means. Before: "held by pool thread #4 (read lock)"
/// and nothing more.</summary>
public sealed class ReadLockLeftOnPoolThread : Scenario
{
    private static readonly ReaderWriterLockSlim Catalog = new();

    public override string Name => "read-lock-left-on-pool-thread";

    public override Expectation Expected => new(Finding.None)
    {
        TextContains = "(read lock), which is idle (back in the pool, between work items)",
    };

    public override void Start()
    {
        Task.Run(Catalog.EnterReadLock).Wait();
        var importer = Run("importer", Catalog.EnterWriteLock);
        WaitUntilBlocked(importer);
    }
}
