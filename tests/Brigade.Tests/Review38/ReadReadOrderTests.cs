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

    private DetectingReaderWriterLock NewLock(string name, LockFairness fairness) =>
        new(new LockOptions { Name = name, Diagnostics = _diagnostics, Fairness = fairness });
}
