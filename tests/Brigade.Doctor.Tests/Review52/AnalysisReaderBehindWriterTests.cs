using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review52;

/// <summary>Review 52: a <c>ReaderWriterLockSlim</c> reader that waits behind a waiting writer (writers go first) read
/// "held by" that writer, which holds nothing: it waits for the lock too.</summary>
public sealed class AnalysisReaderBehindWriterTests
{
    private static readonly Dictionary<int, string> Queued = new() { [6] = RuntimeReader.QueuedBehindWriter };

    [Fact]
    public void AReaderBehindAWaitingWriter_IsQueuedBehindIt_NotHeldByIt()
    {
        var writer = Texts.Thread(6, "loader", WaitKind.ReaderWriterLockWrite, "ReaderWriterLockSlim.EnterWriteLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw", [5],
            roles: new Dictionary<int, string> { [5] = "read lock" });
        var reader = Texts.Thread(7, "dashboard", WaitKind.ReaderWriterLockRead, "ReaderWriterLockSlim.EnterReadLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw", [6], roles: Queued);

        var text = Texts.Of(writer, reader);

        var line = text.Split('\n').Single(l => l.Contains("thread 'dashboard' (#7) waits in", StringComparison.Ordinal));
        Assert.Contains("(Worker.cs:17), queued behind the waiting writer thread 'loader' (#6) (a writer waiting for the lock goes before new readers", line, StringComparison.Ordinal);

        // Failed before: "held by thread 'loader' (#6) (queued behind the waiting writer)" at best; "held by thread 'loader' (#6)" from a dump.
        Assert.DoesNotContain("held by", line, StringComparison.Ordinal);
    }

    [Fact]
    public void InACycle_TheReaderIsQueuedBehindTheWriter()
    {
        var writer = Texts.Thread(6, "loader", WaitKind.ReaderWriterLockWrite, "ReaderWriterLockSlim.EnterWriteLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw", [7],
            roles: new Dictionary<int, string> { [7] = "read lock" });
        var reader = Texts.Thread(7, "dashboard", WaitKind.ReaderWriterLockRead, "ReaderWriterLockSlim.EnterReadLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw2", [6], roles: Queued);
        var cycle = new DeadlockCycle([new DeadlockLink(writer, reader), new DeadlockLink(reader, writer)], []);

        var text = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [writer, reader], []).Single().Message;

        Assert.Contains("(Worker.cs:17), queued behind the waiting writer thread 'loader' (#6)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("whose queued behind", text, StringComparison.Ordinal);
    }
}
