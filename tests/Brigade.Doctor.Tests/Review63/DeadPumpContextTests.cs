namespace Brigade.Doctor.Tests.Review63;

/// <summary>
/// Review 63 (left by review 62's <c>deadctx</c>): a worker installs a <see cref="SynchronizationContext"/> whose pump thread
/// has ended, then blocks in <c>.Result</c> on an async method whose continuation is posted to it. Before, it read as the
/// classic UI self-wait, "only this thread can run it", a wrong cause: the worker never ran that queue; nothing does. Now the
/// verdict is that the context's pump has ended (certain when the context keeps its pump thread in a field, possible when it
/// keeps none and no stack runs its code), with the await that posted the continuation. The program is the corpus's
/// <c>ui-thread-result</c>, whose classic self-wait stays as it was (one dump for both).
/// </summary>
public sealed class DeadPumpContextTests
{
    [Fact]
    public async Task AWorkerBlockedOnAContinuationPostedToAContextWhosePumpEnded_IsBlamedOnTheDeadPump_NotOnItself()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("ui-thread-result");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var owned = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Single().Name == "report-worker");
        Assert.False(owned.IsPossible, text);
        var link = Assert.Single(owned.Links);
        Assert.StartsWith("whose continuation is queued on a SynchronizationContext whose pump has ended: ", link.Wait.Detail, StringComparison.Ordinal);
        Assert.Contains("thread 'report-pump'", link.Wait.Detail, StringComparison.Ordinal);
        Assert.Contains("UiThreadResult.cs:", link.Wait.Task!.ToString(), StringComparison.Ordinal);

        var bare = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Single().Name == "refresh-worker");
        Assert.True(bare.IsPossible, text);
        Assert.StartsWith("whose continuation is queued on a SynchronizationContext no thread is seen pumping: ", Assert.Single(bare.Links).Wait.Detail, StringComparison.Ordinal);

        var report = diagnosis.Reports.Select(r => r.Message).Single(m => m.Contains("'report-worker'", StringComparison.Ordinal));
        Assert.Contains("waits for work that no thread runs", report, StringComparison.Ordinal);
        Assert.DoesNotContain("only this thread can run it", report, StringComparison.Ordinal);
        Assert.Contains("keep the pump alive", report, StringComparison.Ordinal);
        var possible = diagnosis.Reports.Select(r => r.Message).Single(m => m.Contains("'refresh-worker'", StringComparison.Ordinal));
        Assert.Contains("A possible deadlock: which thread pumps a SynchronizationContext is not in the dump", possible, StringComparison.Ordinal);

        // The classic one beside them: the UI thread runs its context's loop and blocks in it.
        var ui = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Single().Name == "ui");
        Assert.False(ui.IsPossible, text);
        Assert.StartsWith("whose continuation is queued on this thread's SynchronizationContext (", Assert.Single(ui.Links).Wait.Detail, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Reports, r => r.Message.Contains("'ui'", StringComparison.Ordinal) && r.Message.Contains("only this thread can run it", StringComparison.Ordinal));
    }
}
