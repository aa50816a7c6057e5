namespace Brigade.Doctor.Tests.Review37;

/// <summary>Review 37: a task queued on a scheduler of the program's own is named by that scheduler, not as a Task.Run.</summary>
public sealed class SchedulerTaskTests
{
    [Fact]
    public async Task ATaskQueuedOnASerialScheduler_IsNamedByItsScheduler_AndNotSaidToAwaitSomething()
    {
        // Before: "waits in .Result for Task.Run(...) — no thread runs its code now: it ends when what it awaits
        // completes": it was no Task.Run, and it awaits nothing; it waits for its scheduler to run it.
        var outcome = await CorpusFixture.DiagnoseAsync("serial-scheduler-self-wait");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var thread = Assert.Single(diagnosis.Threads, t => t.Name == "serial-executor");
        Assert.Equal("WaitingToRun", thread.Wait!.Task!.Status);
        Assert.StartsWith("a task on Brigade.Doctor.Corpus.Scenarios.SerialSchedulerSelfWait.SerialScheduler (", thread.Wait.Task.Description, StringComparison.Ordinal);
        Assert.EndsWith(", queued there, not started", thread.Wait.Task.Description, StringComparison.Ordinal);
        var line = Assert.Single(diagnosis.ToString().Split('\n'), l => l.Contains("'serial-executor' (#", StringComparison.Ordinal) && l.Contains("waits in", StringComparison.Ordinal));
        Assert.DoesNotContain("Task.Run(", line, StringComparison.Ordinal);
        Assert.DoesNotContain("it ends when what it awaits completes", line, StringComparison.Ordinal);
        // Review 63: no longer listed with "not started: it runs when its scheduler gives it a thread": the scheduler's only
        // thread, read from its field, is this one, so it is a deadlock of one thread (Review63/SerialExecutorTests).
        Assert.Contains("which only its scheduler's thread would start", line, StringComparison.Ordinal);
    }
}
