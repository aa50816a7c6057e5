using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review46;

/// <summary>Review 46: pool workers spinning for a <c>SpinLock</c> whose holder runs were counted as blocked, and a busy
/// pool of spinners behind a running holder (items queued) was called starved (<c>BRG1004</c>). They contend, as workers
/// queued on a <c>lock</c> whose holder runs do (review 43).</summary>
public sealed class SpinLockContentionTests
{
    private static readonly DiagnosedFrame Site = new("Shop.Reserve", "Shop.cs", 1, isFramework: false);

    [Fact]
    public void WorkersSpinningForASpinLockWhoseHolderRuns_AreContending()
    {
        var holder = Worker(1, wait: null);
        var spinners = new[] { Worker(2, SpinWait(owner: 1)), Worker(3, SpinWait(owner: 1)), Worker(4, SpinWait(owner: 1)) };
        var threads = spinners.Prepend(holder).ToList();

        Assert.Equal(3, DumpAnalyzer.Contending(threads, spinners));
        var pool = new ThreadPoolSnapshot(workers: 4, idle: 0, running: 1, blocked: 3, blockedOnTasks: 0, queuedWorkItems: 36, [], minThreads: 4, maxThreads: 4,
            contending: DumpAnalyzer.Contending(threads, spinners));
        Assert.False(pool.IsStarved);
    }

    [Fact]
    public void WorkersSpinningForASpinLockWhoseHolderIsBlocked_AreNot()
    {
        // The holder waits for a task: the spinners wait for that, and the pool may well be starved.
        var holder = Worker(1, new ThreadWait(WaitKind.Task, "Task.Wait()", target: null, [], task: null, detail: null, Site));
        var spinners = new[] { Worker(2, SpinWait(owner: 1)), Worker(3, SpinWait(owner: 1)) };

        Assert.Equal(0, DumpAnalyzer.Contending(spinners.Prepend(holder).ToList(), spinners));
    }

    private static ThreadWait SpinWait(int owner) => new(WaitKind.SpinLock, "SpinLock.Enter", target: null, [owner], task: null, detail: null, Site);

    private static DiagnosedThread Worker(int id, ThreadWait? wait) =>
        new(id, (uint)(1000 + id), name: null, isThreadPoolWorker: true, isIdle: false, wait, [Site]);
}
