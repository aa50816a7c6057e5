using Brigade.Doctor.Tests.Review52;

namespace Brigade.Doctor.Tests.Review53;

/// <summary>Review 53: a thread that waits on an event while it holds a <c>ReaderWriterLockSlim</c> read lock a writer
/// waits for read "meanwhile it holds a lock", as if it held the lock exclusively.</summary>
public sealed class AnalysisHeldReadLockTests
{
    [Fact]
    public void AnEventWaitUnderAReadLockAWriterWaitsFor_SaysItHoldsAReadLock()
    {
        var reader = Texts.Thread(5, "report", WaitKind.ManualResetEventSlim, "ManualResetEventSlim.Wait", "System.Threading.ManualResetEventSlim", "static field Shop.Cache.Loaded", []);
        var writer = Texts.Thread(6, "loader", WaitKind.ReaderWriterLockWrite, "ReaderWriterLockSlim.EnterWriteLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw", [5],
            roles: new Dictionary<int, string> { [5] = "read lock" });

        var text = Texts.Of(reader, writer);

        // Failed before: "meanwhile it holds a lock thread 'loader' (#6) waits for".
        Assert.Contains("; meanwhile it holds a read lock thread 'loader' (#6) waits for: if that thread is to signal it, they deadlock", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEventWaitUnderAnUpgradeableReadLock_SaysSo()
    {
        var holder = Texts.Thread(5, "report", WaitKind.ManualResetEventSlim, "ManualResetEventSlim.Wait", "System.Threading.ManualResetEventSlim", "static field Shop.Cache.Loaded", []);
        var writer = Texts.Thread(6, "loader", WaitKind.ReaderWriterLockUpgrade, "ReaderWriterLockSlim.EnterUpgradeableReadLock", "System.Threading.ReaderWriterLockSlim", "static field Shop.Cache.Rw", [5],
            roles: new Dictionary<int, string> { [5] = "upgradeable read lock" });

        Assert.Contains("; meanwhile it holds an upgradeable read lock thread 'loader' (#6) waits for", Texts.Of(holder, writer), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEventWaitUnderAMonitor_StillSaysALock()
    {
        var holder = Texts.Thread(5, "report", WaitKind.ManualResetEventSlim, "ManualResetEventSlim.Wait", "System.Threading.ManualResetEventSlim", "static field Shop.Cache.Loaded", []);
        var waiter = Texts.Thread(6, "loader", WaitKind.Monitor, "Monitor.Enter", "System.Object", "static field Shop.Cache.Sync", [5]);

        Assert.Contains("; meanwhile it holds a lock thread 'loader' (#6) waits for", Texts.Of(holder, waiter), StringComparison.Ordinal);
    }
}
