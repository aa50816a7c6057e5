namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: readers hold a read lock while they sleep; a writer waits for them. It will get the lock.</summary>
public sealed class ReadersThenWriter : Scenario
{
    private static readonly ReaderWriterLockSlim Table = new();

    public override string Name => "twin-readers-writer";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var readersIn = new CountdownEvent(2);
        var readers = Enumerable.Range(0, 2).Select(i => Run($"slow-reader-{i}", () =>
        {
            Table.EnterReadLock();
            readersIn.Signal();
            Thread.Sleep(TimeSpan.FromHours(1));
        })).ToArray();
        readersIn.Wait();
        WaitUntilBlocked([.. readers, Run("writer", Table.EnterWriteLock)]);
    }
}
