namespace Brigade.Doctor.Tests.Review37;

/// <summary>Review 37: a thread waiting on a <c>SemaphoreSlim(1, 1)</c> whose slot its own stack took is a possible deadlock.</summary>
public sealed class SemaphoreSelfWaitTests
{
    [Fact]
    public async Task AHandlerReenteringASemaphoreLock_IsAPossibleDeadlockOfOneThread_SayingWhereTheSlotWasTaken()
    {
        // Before: "waits in SemaphoreSlim.Wait ... — no owner to blame: any thread may release it", and "No pitfall found".
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-reentered-by-handler");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible);
        var link = Assert.Single(cycle.Links);
        Assert.Same(link.Waiter, link.Holder);
        var message = Assert.Single(diagnosis.Reports).Message;
        Assert.Contains("this thread took its slot earlier in Brigade.Doctor.Corpus.Scenarios.SemaphoreReenteredByHandler+Inventory.Add", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock", message, StringComparison.Ordinal);
        Assert.DoesNotContain("TryEnter", message, StringComparison.Ordinal);
        Assert.Contains("\"possible\": true", diagnosis.ToJson(), StringComparison.Ordinal);
    }
}
