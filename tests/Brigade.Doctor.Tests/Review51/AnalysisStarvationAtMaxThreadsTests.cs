using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review51;

/// <summary>Review 51: every worker of a pool capped by <c>ThreadPool.SetMaxThreads</c> blocked on an event whose setter is
/// queued behind them. The report said "the pool adds threads slowly (about one or two a second)": at its maximum it adds
/// none, and raising SetMinThreads (the advice) does nothing there.</summary>
public sealed class AnalysisStarvationAtMaxThreadsTests
{
    [Theory]
    [InlineData(4, true)]
    [InlineData(32767, false)]
    public void APoolAtItsMaximum_SaysItAddsNoThread(int maxThreads, bool atMaximum)
    {
        var site = new DiagnosedFrame("Shop.Worker.Run", "Worker.cs", 9, isFramework: false);
        var blocked = Enumerable.Range(4, 4).Select(id => new DiagnosedThread(id, (uint)(4240 + id), null, isThreadPoolWorker: true, isIdle: false,
            new ThreadWait(WaitKind.ManualResetEventSlim, "ManualResetEventSlim.Wait", new WaitObject(0x7f0000003000, "System.Threading.ManualResetEventSlim", "static field Shop.Worker.Ready"), [], task: null, detail: "not set", site),
            [site])).ToList();
        var pool = new ThreadPoolSnapshot(4, 0, 0, 4, 0, 1, ["QueueUserWorkItem(Shop.Worker.SetReady)"], 2, maxThreads);

        var text = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [], pool, [], blocked, []).Single().Message;

        Assert.Equal(atMaximum, text.Contains("The pool is at its maximum (4 threads, ThreadPool.SetMaxThreads): it will add no thread", StringComparison.Ordinal));
        Assert.Equal(!atMaximum, text.Contains("The pool adds threads slowly", StringComparison.Ordinal));
        Assert.Equal(!atMaximum, text.Contains("raising ThreadPool.SetMinThreads", StringComparison.Ordinal));
    }
}
