namespace Brigade.Doctor.Tests.Review41;

/// <summary>Audit 4: an async method running synchronously past <c>await _gate.WaitAsync()</c> holds the slot; a handler it
/// raises that calls <c>_gate.Wait()</c> on the same thread waits for itself.</summary>
public sealed class SemaphoreTakenByRunningFlowTests
{
    [Fact]
    public async Task AHandlerReenteringASemaphoreTakenByTheRunningAsyncMethod_IsAPossibleDeadlockOfOneThread()
    {
        // Before: "waits in SemaphoreSlim.Wait ... — no owner to blame: any thread may release it", and "No pitfall found".
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-reentered-by-sync-running-flow");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;

        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible);
        var link = Assert.Single(cycle.Links);
        Assert.Equal("saver", link.Waiter.Name);
        Assert.Same(link.Waiter, link.Holder);
        var message = Assert.Single(diagnosis.Reports).Message;
        Assert.Contains("this thread took its slot earlier in Brigade.Doctor.Corpus.Scenarios.SemaphoreReenteredBySyncRunningFlow+UnitOfWork.SaveChangesAsync, and has not released it", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHandlerWaitingAfterTheAsyncMethodReleasedItsSlot_IsNoDeadlock()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("twin-semaphore-flow-released-before-handler");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;

        Assert.Empty(diagnosis.Deadlocks);
        Assert.Empty(diagnosis.Reports);
        Assert.Contains(diagnosis.Threads, t => t.Name == "saver" && t.Wait?.Kind == WaitKind.SemaphoreSlim);
    }
}
