namespace Brigade.Doctor.Tests.Review43;

/// <summary>Review 43: a healthy, busy program (a <c>Parallel.For</c> whose bodies take a hot <c>lock</c> three other
/// threads hammer) was dumped with its four pool workers queued on that lock, held by a running thread, and two items
/// queued: reported as thread-pool starvation (<c>BRG1004</c>). Workers waiting for a lock whose holder runs are
/// contending, not starved.</summary>
public sealed class PoolContentionTests
{
    [Fact]
    public void WorkersQueuedOnALockWhoseHolderRuns_AreNotStarvation()
    {
        var contended = new ThreadPoolSnapshot(workers: 4, idle: 0, running: 0, blocked: 4, blockedOnTasks: 0, queuedWorkItems: 2, [], minThreads: 2, maxThreads: 32767, contending: 4);
        Assert.False(contended.IsStarved);
    }

    [Fact]
    public void WorkersBlockedOnAnythingElse_StillAre()
    {
        Assert.True(new ThreadPoolSnapshot(4, 0, 0, 4, 4, 2, [], 2, 32767).IsStarved);

        // Three contending (as good as running) and one blocked on a task: blocked does not outnumber running.
        Assert.False(new ThreadPoolSnapshot(4, 0, 0, 4, 1, 2, [], 2, 32767, contending: 3).IsStarved);

        // Two contending, two blocked on tasks: as many blocked as running.
        Assert.True(new ThreadPoolSnapshot(4, 0, 0, 4, 2, 2, [], 2, 32767, contending: 2).IsStarved);
    }
}
