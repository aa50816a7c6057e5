using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review50;

/// <summary>Review 50: a thread parked in <c>Thread.Sleep(Timeout.Infinite)</c> inside a <c>lock</c> never releases it; the
/// threads waiting for that lock were listed as "held by" it and nothing more, as if the holder would be done in time.</summary>
public sealed class AnalysisLockHolderSleepsForeverTests
{
    [Theory]
    [InlineData(WaitRule.SleepForever, true)]
    [InlineData("Thread.Sleep", false)]
    public void ALockWhoseHolderSleepsForever_SaysNothingWillReleaseIt_AndASleepThatWakesDoesNot(string holderApi, bool forever)
    {
        var sleepSite = new DiagnosedFrame("Shop.Audit.Park", "Audit.cs", 12, isFramework: false);
        var holder = new DiagnosedThread(4, 4242, "auditor", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.Sleep, holderApi, null, [], task: null, detail: null, sleepSite), [sleepSite]);
        var enterSite = new DiagnosedFrame("Shop.Orders.Save", "Orders.cs", 30, isFramework: false);
        var waiter = new DiagnosedThread(5, 4243, "orders", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.Monitor, "Monitor.Enter", new WaitObject(0x7f0000001000, "System.Object", "static field Shop.Audit.Gate"), [4], task: null, detail: null, enterSite),
            [enterSite]);
        var text = new Diagnosis(new DiagnosisParts
        {
            RuntimeVersion = "10.0",
            Threads = [holder, waiter],
            Deadlocks = [],
            SyncOverAsync = [],
            BlockedWithoutOwner = [holder, waiter],
            Reports = [],
        }).ToString();

        Assert.Contains("thread 'orders' (#5) waits in Monitor.Enter on System.Object (static field Shop.Audit.Gate) at Shop.Orders.Save (Orders.cs:30), held by thread 'auditor' (#4)", text, StringComparison.Ordinal);
        Assert.Equal(forever, text.Contains("held by thread 'auditor' (#4), which sleeps for ever (Thread.Sleep(Timeout.Infinite)) holding it: nothing will release it", StringComparison.Ordinal));
    }
}
