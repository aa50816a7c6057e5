using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review50;

/// <summary>Review 50: a program with 60 workers idle on one event and 20 threads queued on one lock, beside a real
/// deadlock, listed 80 lines of "Other blocked threads", one per thread, the same words but for the name.</summary>
public sealed class AnalysisManyAlikeThreadsTests
{
    [Fact]
    public void ThreadsBlockedAlike_AreOneLine_FromFiveOn_AndOthersKeepTheirOwn()
    {
        var site = new DiagnosedFrame("Shop.Worker.Run", "Worker.cs", 9, isFramework: false);
        var ev = new WaitObject(0x7f0000001000, "System.Threading.ManualResetEventSlim", "static field Shop.Worker.Go");
        DiagnosedThread Waiter(int id, string name, WaitObject target) => new(id, (uint)(4000 + id), name, isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.ManualResetEventSlim, "ManualResetEventSlim.Wait", target, [], task: null, detail: "not set", site), [site]);
        var idle = Enumerable.Range(0, 6).Select(i => Waiter(10 + i, $"worker-{i}", ev)).ToList();
        var other = new WaitObject(0x7f0000002000, "System.Threading.ManualResetEventSlim", "static field Shop.Worker.Stop");
        var few = Enumerable.Range(0, 4).Select(i => Waiter(20 + i, $"stopper-{i}", other)).ToList();
        var threads = idle.Concat(few).ToList();
        var text = new Diagnosis(new DiagnosisParts
        {
            RuntimeVersion = "10.0",
            Threads = threads,
            Deadlocks = [],
            SyncOverAsync = [],
            BlockedWithoutOwner = threads,
            Reports = [],
        }).ToString();

        Assert.Contains("  6 threads (thread 'worker-0' (#10), thread 'worker-1' (#11), thread 'worker-2' (#12) and 3 more) wait alike: each waits in ManualResetEventSlim.Wait on System.Threading.ManualResetEventSlim (static field Shop.Worker.Go)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("thread 'worker-4' (#14) waits in", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), l => l.Contains("(static field Shop.Worker.Go)", StringComparison.Ordinal));

        // Four alike are still listed one by one.
        Assert.Equal(4, text.Split('\n').Count(l => l.Contains("(static field Shop.Worker.Stop)", StringComparison.Ordinal)));
        Assert.Contains("  thread 'stopper-3' (#23) waits in ManualResetEventSlim.Wait", text, StringComparison.Ordinal);
    }
}
