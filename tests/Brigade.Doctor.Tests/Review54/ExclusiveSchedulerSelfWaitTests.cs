namespace Brigade.Doctor.Tests.Review54;

/// <summary>Review 54: a task on a <c>ConcurrentExclusiveSchedulerPair</c>'s exclusive scheduler blocked on an async method
/// whose continuation is queued on that same scheduler read <c>BRG1008</c>, the method "suspended at Task.Delay" (a delay that
/// had ended): the pair's queue was not read. Now a cycle of one thread. (The corpus fixture's diagnosis: no dump of its own.)</summary>
public sealed class ExclusiveSchedulerSelfWaitTests
{
    [Fact]
    public async Task AnExclusiveTaskBlockedOnItsOwnContinuation_IsADeadlockOfOneThread()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("exclusive-scheduler-self-wait");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        // Failed before: no deadlock; "BRG1008 ... for async method ...BumpAsync (suspended at await #0: Task.Delay(...))".
        var cycle = Assert.Single(diagnosis.Deadlocks);
        var link = Assert.Single(cycle.Links);
        Assert.Equal(link.Waiter.ManagedThreadId, link.Holder.ManagedThreadId);
        Assert.Contains("waits for work that only it can run", text, StringComparison.Ordinal);
        Assert.Contains("whose continuation is queued on the ExclusiveScheduler of a ConcurrentExclusiveSchedulerPair, which runs one exclusive task at a time", text, StringComparison.Ordinal);
        Assert.Contains("Never block a task running on a ConcurrentExclusiveSchedulerPair's scheduler", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SynchronizationContext", text, StringComparison.Ordinal);
        Assert.DoesNotContain("BRG1008", text, StringComparison.Ordinal);
    }
}
