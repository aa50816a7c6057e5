using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Tests.Review38;

/// <summary>
/// Review 38: two unfair reader/writer locks read in opposite orders (prices then stock on one path, stock then prices on
/// another) were reported as a potential deadlock, and refused with LockOrderException in Throw mode. An unfair reader
/// waits only for a writer that holds the lock, never for readers or queued writers, so a cycle of read-while-reading
/// orders cannot deadlock (lockdep does not report recursive-read cycles either). A write on one of them makes the cycle
/// real and is reported; a fair lock queues readers behind writers, so its read-read cycle is reported as before.
/// </summary>
public sealed class ReadReadOrderTests
{
    private readonly PitfallDiagnostics _diagnostics = new() { LockOrderMode = LockOrderMode.Throw };

    [Fact]
    public void UnfairReadReadInversion_IsNotReported()
    {
        var prices = NewLock("prices", LockFairness.Unfair);
        var stock = NewLock("stock", LockFairness.Unfair);
        ReadBoth(prices, stock);
        ReadBoth(stock, prices);
        Assert.Empty(_diagnostics.Reports);
    }

    [Fact]
    public void UnfairReadReadInversion_AWriteLaterInTheSameOrder_IsReported()
    {
        var prices = NewLock("prices", LockFairness.Unfair);
        var stock = NewLock("stock", LockFairness.Unfair);
        ReadBoth(prices, stock);
        ReadBoth(stock, prices);

        // stock (write) -> prices: a writer of stock waiting for prices, a reader of prices waiting for stock: a deadlock.
        Assert.Throws<LockOrderException>(() =>
        {
            using (stock.AcquireWrite())
            using (prices.AcquireWrite())
            {
            }
        });
        Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
    }

    [Fact]
    public void UnfairReadReadInversion_ClosingALongerWritingCycle_IsReported()
    {
        // a -> b only ever read-read (the shortest way back from a to b), but also a (write) -> c (write) -> b (write):
        // b (read) -> a (read) closes a cycle through c that deadlocks (a reader of b waits for a's writer, who waits
        // for c's holder, who waits to write b). Before, only the shortest path was examined, found read-read, and
        // nothing was reported.
        var a = NewLock("a", LockFairness.Unfair);
        var b = NewLock("b", LockFairness.Unfair);
        var c = NewLock("c", LockFairness.Unfair);
        ReadBoth(a, b);
        WriteBoth(a, c);
        WriteBoth(c, b);
        Assert.Empty(_diagnostics.Reports);

        Assert.Throws<LockOrderException>(() => ReadBoth(b, a));
        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Contains("'c'", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnfairReadReadInversion_WhoseWritingCycleIsGated_IsNotReportedThroughTheReadReadPath()
    {
        // a -> b read-read without the gate; a -> c -> b writing, and b -> a read-read, all under the gate g (written):
        // the writing cycle is serialized by g and the other one is read-read: nothing can deadlock. The search for a
        // path around the gate must not fall back on the read-read path.
        var g = NewLock("g", LockFairness.Unfair);
        var a = NewLock("a", LockFairness.Unfair);
        var b = NewLock("b", LockFairness.Unfair);
        var c = NewLock("c", LockFairness.Unfair);
        ReadBoth(a, b);
        using (g.AcquireWrite())
        {
            WriteBoth(a, c);
            WriteBoth(c, b);
            ReadBoth(b, a);
        }

        Assert.Empty(_diagnostics.Reports);
    }

    [Fact]
    public void FairReadReadInversion_IsReported()
    {
        var prices = NewLock("prices", LockFairness.Fair);
        var stock = NewLock("stock", LockFairness.Fair);
        ReadBoth(prices, stock);
        Assert.Throws<LockOrderException>(() => ReadBoth(stock, prices));
        Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
    }

    private static void ReadBoth(DetectingReaderWriterLock first, DetectingReaderWriterLock second)
    {
        using (first.AcquireRead())
        using (second.AcquireRead())
        {
        }
    }

    private static void WriteBoth(DetectingReaderWriterLock first, DetectingReaderWriterLock second)
    {
        using (first.AcquireWrite())
        using (second.AcquireWrite())
        {
        }
    }

    private DetectingReaderWriterLock NewLock(string name, LockFairness fairness) =>
        new(new LockOptions { Name = name, Diagnostics = _diagnostics, Fairness = fairness });
}
