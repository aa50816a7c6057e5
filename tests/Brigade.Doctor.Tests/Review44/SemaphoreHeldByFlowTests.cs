namespace Brigade.Doctor.Tests.Review44;

/// <summary>Review 44 (known miss of review 43): a thread blocked in <c>SemaphoreSlim.Wait</c> whose only slot a suspended
/// async flow took. The async flows were read only when some thread waited on a task, so the flow holding the slot, and
/// the thread running what it awaits, were never named.</summary>
public sealed class SemaphoreHeldByFlowTests
{
    [Fact]
    public async Task ALockHolderWaitingForASlotHeldByAFlowAwaitingWorkThatNeedsTheLock_IsAPossibleDeadlock()
    {
        // Before: no pitfall: "SemaphoreSlim.Wait ... no owner to blame: any thread may release it; meanwhile it holds a
        // lock pool thread ... waits for".
        var diagnosis = await DiagnoseAsync("semaphore-held-by-flow-awaiting-locked-work");
        var text = diagnosis.ToString();

        Assert.True(diagnosis.Reports.Select(r => r.Code).SequenceEqual(["BRG1001"]), text);
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible, text);
        Assert.Equal(["bookkeeper", "task-worker"], cycle.Threads.Select(t => t.Name).Order());
        var message = diagnosis.Reports[0].Message;
        Assert.Contains("thread 'bookkeeper'", message, StringComparison.Ordinal);
        Assert.Contains("whose slot async flow Brigade.Doctor.Corpus.Scenarios.SemaphoreHeldByFlowAwaitingLockedWork.PostAsync took at SemaphoreHeldByFlowAwaitingLockedWork.Gate.WaitAsync()", message, StringComparison.Ordinal);
        Assert.Contains("awaiting a task whose code runs on pool thread 'task-worker'", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a SemaphoreSlim records no owner", message, StringComparison.Ordinal);
        Assert.DoesNotContain("TryEnter", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASlotHeldByAFlowAwaitingWorkThatWaitsElsewhere_IsNamedButNoDeadlock()
    {
        var diagnosis = await DiagnoseAsync("twin-semaphore-held-by-flow-awaiting-other-work");
        var text = diagnosis.ToString();

        Assert.Empty(diagnosis.Reports);
        var bookkeeper = diagnosis.Threads.Single(t => t.Name == "bookkeeper");
        Assert.Equal(WaitKind.SemaphoreSlim, bookkeeper.Wait!.Kind);
        Assert.Equal([diagnosis.Threads.Single(t => t.Name == "task-worker").ManagedThreadId], bookkeeper.Wait.Owners);
        Assert.Contains("whose slot async flow Brigade.Doctor.Corpus.Scenarios.TwinSemaphoreHeldByFlowAwaitingOtherWork.PostAsync took at TwinSemaphoreHeldByFlowAwaitingOtherWork.Gate.WaitAsync()", text, StringComparison.Ordinal);
    }

    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!;
    }
}
