using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review43;

/// <summary>Review 43: a busy, healthy program (three threads hammering one <c>lock</c>) dumped at the instant the lock
/// was free had its waiters listed as "no owner to blame: any thread may release it", which is what a semaphore or an
/// event is said to be; a lock has an owner while held.</summary>
public sealed class LockBetweenHoldersTests
{
    [Theory]
    [InlineData(WaitKind.Monitor, "Monitor.Enter")]
    [InlineData(WaitKind.Lock, "Lock.Enter")]
    [InlineData(WaitKind.ReaderWriterLockWrite, "ReaderWriterLockSlim.EnterWriteLock")]
    public void ALockWaitWithNoHolder_SaysTheLockWasBetweenHolders_NotThatAnyThreadMayReleaseIt(WaitKind kind, string api)
    {
        var site = new DiagnosedFrame("Shop.Counter.Add", "Counter.cs", 7, isFramework: false);
        var thread = new DiagnosedThread(4, 4242, "cpu-0", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(kind, api, new WaitObject(0x7f0000001000, "System.Object", "static field Shop.Counter.Gate"), [], task: null, detail: null, site), [site]);
        var text = new Diagnosis(new DiagnosisParts
        {
            RuntimeVersion = "10.0",
            Threads = [thread],
            Deadlocks = [],
            SyncOverAsync = [],
            BlockedWithoutOwner = [thread],
            Reports = [],
        }).ToString();

        Assert.Contains($"thread 'cpu-0' (#4) waits in {api}", text, StringComparison.Ordinal);
        Assert.Contains("no thread holds it at this instant: its holder had just released it", text, StringComparison.Ordinal);
        Assert.DoesNotContain("any thread may release it", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ASemaphoreWaitWithNoHolder_StillHasNoOwnerToBlame()
    {
        var site = new DiagnosedFrame("Shop.Counter.Add", "Counter.cs", 7, isFramework: false);
        var thread = new DiagnosedThread(4, 4242, "sem", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.SemaphoreSlim, "SemaphoreSlim.Wait", new WaitObject(0x7f0000001000, "System.Threading.SemaphoreSlim", null), [], task: null, detail: null, site), [site]);
        var text = new Diagnosis(new DiagnosisParts
        {
            RuntimeVersion = "10.0",
            Threads = [thread],
            Deadlocks = [],
            SyncOverAsync = [],
            BlockedWithoutOwner = [thread],
            Reports = [],
        }).ToString();

        Assert.Contains("no owner to blame: any thread may release it", text, StringComparison.Ordinal);
    }
}
