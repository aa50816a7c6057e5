using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review52;

/// <summary>Review 52: a thread spinning on a volatile flag that is never set (<c>while (!ready) spinner.SpinOnce();</c>)
/// was caught in SpinOnce's <c>Thread.Sleep(1)</c> and read "waits in Thread.Sleep", a sleep that ends by itself.</summary>
public sealed class AnalysisSpinWaitTests
{
    [Theory]
    [InlineData("SpinOnce")]
    [InlineData("SpinOnceCore")]
    [InlineData("SpinUntil")]
    public void ASpinWaitFrame_IsABusyWait(string method)
    {
        // Failed before: null (no rule), so the Thread.Sleep frame inside named the wait.
        Assert.Equal((WaitKind.Sleep, WaitRule.SpinWaitSpin), WaitRule.Match("System.Threading.SpinWait", method));
    }

    [Fact]
    public void ASpinningThread_IsListedAsABusyWaitOnACondition()
    {
        var site = new DiagnosedFrame("Shop.Poller.AwaitReady", "Poller.cs", 40, isFramework: false);
        var thread = new DiagnosedThread(5, 4243, "spinner", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.Sleep, WaitRule.SpinWaitSpin, null, [], task: null, detail: null, site), [site]);

        var text = Texts.Of(thread);

        Assert.Contains("thread 'spinner' (#5) waits in SpinWait.SpinOnce at Shop.Poller.AwaitReady (Poller.cs:40) — a busy wait", text, StringComparison.Ordinal);
        Assert.Contains("if nothing ever sets it, it spins for ever", text, StringComparison.Ordinal);
    }
}
