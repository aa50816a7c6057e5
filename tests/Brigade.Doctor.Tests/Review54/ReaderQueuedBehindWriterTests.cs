using Brigade.Doctor.Analysis;
using Brigade.Doctor.Tests.Review52;

namespace Brigade.Doctor.Tests.Review54;

/// <summary>Review 54: a writer waiting for a <c>ReaderWriterLockSlim</c> that no thread shows holding (its holder had just let
/// go, or ended) read "meanwhile it holds a lock thread 'dashboard' waits for" of a reader queued behind it, which waits for the
/// lock too: the writer holds nothing.</summary>
public sealed class ReaderQueuedBehindWriterTests
{
    [Fact]
    public void AReaderQueuedBehindAWaitingWriter_IsNotALockTheWriterHolds()
    {
        var writer = Texts.Thread(6, "loader", WaitKind.ReaderWriterLockWrite, "ReaderWriterLockSlim.EnterWriteLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw", []);
        var reader = Texts.Thread(7, "dashboard", WaitKind.ReaderWriterLockRead, "ReaderWriterLockSlim.EnterReadLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw", [6],
            roles: new Dictionary<int, string> { [6] = RuntimeReader.QueuedBehindWriter });

        var text = Texts.Of(writer, reader);

        var line = text.Split('\n').Single(l => l.Contains("thread 'loader' (#6) waits in", StringComparison.Ordinal));
        // Failed before: "...; meanwhile it holds a lock thread 'dashboard' (#7) waits for: if that thread is to signal it, they deadlock".
        Assert.DoesNotContain("meanwhile it holds", line, StringComparison.Ordinal);
        Assert.Contains("queued behind the waiting writer thread 'loader' (#6)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AReaderWaitingForAHeldReadLock_IsStillNamed()
    {
        // The twin: thread 'report' (#5) holds a read lock and waits on an event; a writer waits for that read lock.
        var report = Texts.Thread(5, "report", WaitKind.WaitHandle, "ManualResetEventSlim.Wait", "System.Threading.ManualResetEventSlim", "static field Shop.Cache.Loaded", []);
        var writer = Texts.Thread(6, "loader", WaitKind.ReaderWriterLockWrite, "ReaderWriterLockSlim.EnterWriteLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw", [5],
            roles: new Dictionary<int, string> { [5] = "read lock" });

        var line = Texts.Of(report, writer).Split('\n').Single(l => l.Contains("thread 'report' (#5) waits in", StringComparison.Ordinal));

        Assert.Contains("meanwhile it holds a read lock thread 'loader' (#6) waits for", line, StringComparison.Ordinal);
    }

    [Fact]
    public void AWriterWaitingForReadersNoLiveThreadHolds_IsNotSaidToBeBetweenTwoHolders()
    {
        // A thread took a read lock and ended without ExitReadLock: the lock counts a reader that no live thread is.
        var writer = Texts.Thread(6, "loader", WaitKind.ReaderWriterLockWrite, "ReaderWriterLockSlim.EnterWriteLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw", [],
            detail: $"1 reader {RuntimeReader.UnnamedReaders}");

        var line = Texts.Of(writer).Split('\n').Single(l => l.Contains("thread 'loader' (#6) waits in", StringComparison.Ordinal));

        // Failed before: "1 reader inside (...) — no thread holds it at this instant: its holder had just released it".
        Assert.DoesNotContain("no thread holds it at this instant", line, StringComparison.Ordinal);
        Assert.Contains("no live thread holds a read lock on it", line, StringComparison.Ordinal);
        Assert.Contains("left it held: nothing will release it", line, StringComparison.Ordinal);
    }
}
