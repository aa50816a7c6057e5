namespace Brigade.Doctor.Tests.Review62;

/// <summary>
/// Review 62 (left by review 61): a job on a one-thread <see cref="TaskScheduler"/> of the program's own blocks with
/// <c>.Result</c> on an async method whose continuation is queued back to that scheduler. Before: "No pitfall found", and
/// its line said "no thread runs its code now: it ends when what it awaits completes" (false: the awaited delay had
/// completed). Now the queued continuation is found in the scheduler's queue and, the scheduler's only thread (kept in a
/// field) being the blocked one, it is a deadlock of one thread.
/// </summary>
public sealed class SchedulerContinuationTests
{
    [Fact]
    public async Task AJobBlockedOnAnAsyncMethodResumingOnItsOneThreadScheduler_IsADeadlockOfOneThread()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("serial-scheduler-self-wait");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "actor-loop"));
        Assert.False(cycle.IsPossible, text);
        var link = Assert.Single(cycle.Links);
        Assert.Equal("actor-loop", link.Waiter.Name);
        Assert.Equal("actor-loop", link.Holder.Name);
        Assert.StartsWith(
            "whose continuation waits in the queue of Brigade.Doctor.Corpus.Scenarios.SerialSchedulerSelfWait.SerialScheduler, a TaskScheduler of the program's own whose only thread",
            link.Wait.Detail, StringComparison.Ordinal);
        Assert.Contains("LoadBalanceAsync", text, StringComparison.Ordinal);
        Assert.DoesNotContain("no thread runs its code now", text, StringComparison.Ordinal);
        Assert.Contains("Never block a task running on a TaskScheduler of the program's own on an async method that resumes there", text, StringComparison.Ordinal);

        // The synchronous form beside it is a cycle of its own since review 63 (Review63/SerialExecutorTests).
        Assert.DoesNotContain(cycle.Links, l => l.Waiter.Name == "serial-executor");
    }
}
