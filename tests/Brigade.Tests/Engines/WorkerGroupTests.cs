using Brigade.Engines;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Engines;

public sealed class WorkerGroupTests
{
    [Fact]
    public void TryReserve_FixedGroup_StartsAtMostMaxWorkersOverItsLife()
    {
        var group = new WorkerGroup(2);

        Assert.True(group.TryReserve(out var a));
        Assert.True(group.TryReserve(out var b));
        Assert.False(group.TryReserve(out var none));
        Assert.False(group.Exited());
        Assert.False(group.TryReserve(out _)); // an exited worker is not replaced

        Assert.Equal((0, 1, -1), (a, b, none));
        Assert.Equal(2, group.Started);
        Assert.Equal(1, group.Running);
        Assert.False(group.Completion.IsCompleted);
        Assert.True(group.Exited());
        Assert.True(group.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task TryStartTask_LoopsStartingTheNext_CompleteOnceTheLastExits()
    {
        var group = new WorkerGroup(8);
        var ran = new bool[8];
        Task Loop(int id)
        {
            ran[id] = true;
            group.TryStartTask(Loop);
            return Task.CompletedTask;
        }

        group.TryStartTask(Loop);
        await group.Completion.Bounded();

        Assert.All(ran, Assert.True);
        Assert.Equal(0, group.Running);
    }

    [Fact]
    public void Exited_RacingReservationsFromRunningWorkers_CompletesExactlyOnceAtTheEnd()
    {
        // Every reservation comes from a running worker, as engines do: the group must not complete while one runs.
        for (var round = 0; round < 200; round++)
        {
            var group = new WorkerGroup(64);
            Assert.True(group.TryReserve(out _));
            var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
            {
                while (group.TryReserve(out _))
                {
                    Assert.False(group.Completion.IsCompleted);
                    group.Exited();
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.False(group.Completion.IsCompleted);
            Assert.True(group.Exited());
            Assert.Equal(64, group.Started);
        }
    }

    [Fact]
    public void TryStartThread_NoThreadAndNoOtherWorker_ReportsTheError_AndCompletes()
    {
        var group = new WorkerGroup(2);
        Exception? reported = null;
        var previous = WorkerGroup.ThreadStarterForTests;
        WorkerGroup.ThreadStarterForTests = _ => throw new OutOfMemoryException("no thread for you");
        try
        {
            Assert.True(group.TryStartThread("brigade-test-", _ => { }, e => reported = e));
        }
        finally
        {
            WorkerGroup.ThreadStarterForTests = previous;
        }

        Assert.IsType<OutOfMemoryException>(reported);
        Assert.True(group.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task TryStartThread_NoThreadWhileAnotherWorkerRuns_RunGoesOnWithoutError()
    {
        var group = new WorkerGroup(2);
        Assert.True(group.TryReserve(out _)); // a running worker, which starts the next
        Exception? reported = null;
        var ranOnThread = false;

        // A thread whose start fails: only the second of this group (named brigade-test-1).
        var previous = WorkerGroup.ThreadStarterForTests;
        WorkerGroup.ThreadStarterForTests = t => throw new OutOfMemoryException(t.Name);
        try
        {
            Assert.True(group.TryStartThread("brigade-test-", _ => ranOnThread = true, e => reported = e));
        }
        finally
        {
            WorkerGroup.ThreadStarterForTests = previous;
        }

        Assert.Null(reported);
        Assert.False(ranOnThread);
        Assert.Equal(1, group.Running);
        Assert.True(group.Exited());
        await group.Completion.Bounded();
    }
}
