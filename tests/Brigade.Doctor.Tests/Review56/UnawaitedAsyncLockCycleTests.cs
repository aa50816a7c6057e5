namespace Brigade.Doctor.Tests.Review56;

/// <summary>Review 56: two async flows taking two <c>SemaphoreSlim(1, 1)</c>s in opposite orders, awaited by nothing (a
/// service's requests; the program's main thread reads stdin), read "No pitfall found": the heap was walked for async flows
/// only when a thread waited on a task or a semaphore. (The corpus fixture's diagnosis: no dump of its own.)</summary>
public sealed class UnawaitedAsyncLockCycleTests
{
    [Fact]
    public async Task TwoFlowsInOppositeOrders_NothingWaitingOnThem_IsAPossibleDeadlockOfFlows()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("async-lock-order-deadlock-unawaited");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        // The shape: no thread waits on a task (what used to start the walk).
        Assert.DoesNotContain(diagnosis.Threads, t => t.Wait?.Kind == WaitKind.Task);

        // Failed before: no deadlock, "No pitfall found".
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible);
        Assert.Equal(2, cycle.AsyncLinks.Count);
        Assert.Contains("Deadlock detected: 2 async flows wait for each other's SemaphoreSlim slots in a cycle", text, StringComparison.Ordinal);
        Assert.Contains("Catalog.ReserveAsync holds its slot (it passed await ", text, StringComparison.Ordinal);
        Assert.Contains("Catalog.ReplenishAsync holds its slot (it passed await ", text, StringComparison.Ordinal);
        Assert.Contains("and has not released it)", text, StringComparison.Ordinal);
        Assert.Contains("in one global order in every flow, or guard what they protect with one SemaphoreSlim instead of several", text, StringComparison.Ordinal);
        Assert.DoesNotContain("No pitfall found", text, StringComparison.Ordinal);
    }
}
