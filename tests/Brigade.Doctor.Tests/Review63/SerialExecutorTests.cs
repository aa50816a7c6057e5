namespace Brigade.Doctor.Tests.Review63;

/// <summary>
/// Review 63 (left by reviews 37 and 62): a job on a one-thread <see cref="TaskScheduler"/> of the program's own (a serial
/// executor) waits with <c>.Result</c> for a sub-job queued to the same scheduler. Before: listed, "queued there, not
/// started", exit 0 (how many threads the scheduler runs was not read). The scheduler keeps its one thread in a field, read
/// as review 62 reads it for the async form: that thread is the blocked one, so it is a certain deadlock of one thread.
/// </summary>
public sealed class SerialExecutorTests
{
    [Fact]
    public async Task AJobWaitingForASubJobQueuedToItsOneThreadScheduler_IsACertainDeadlockOfOneThread()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("serial-scheduler-self-wait");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "serial-executor"));
        Assert.False(cycle.IsPossible, text);
        var link = Assert.Single(cycle.Links);
        Assert.Same(link.Waiter, link.Holder);
        Assert.StartsWith(
            "which only its scheduler's thread would start: Brigade.Doctor.Corpus.Scenarios.SerialSchedulerSelfWait.SerialScheduler, a TaskScheduler of the program's own whose only thread (its field Thread (a property)) is this one",
            link.Wait.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(diagnosis.BlockedWithoutOwner, t => t.Name == "serial-executor");
        var report = diagnosis.Reports.Select(r => r.Message).Single(m => m.Contains("'serial-executor'", StringComparison.Ordinal));
        Assert.Contains("Never block a task running on a limited-concurrency TaskScheduler on a task queued to that same scheduler", report, StringComparison.Ordinal);
    }
}
