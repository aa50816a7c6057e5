namespace Brigade.Doctor.Tests.Review37;

/// <summary>Review 37: one async flow waiting on its own async lock is described as one flow, not as a lock-order cycle.</summary>
public sealed class AsyncLockReenteredTests
{
    [Fact]
    public async Task OneFlowOnItsOwnSlot_SaysTheSameFlowTookIt_AndGivesNoLockOrderAdvice()
    {
        // Before: "async flow DocumentStore.ExistsAsync took its slot at await _lock.WaitAsync() (... SaveAsync's line)",
        // "each flow suspended after an await of the other semaphore's WaitAsync" and "take async locks in one global
        // order": there is one flow and one semaphore.
        var outcome = await CorpusFixture.DiagnoseAsync("async-lock-reentered");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.Single(cycle.AsyncLinks);
        var message = Assert.Single(diagnosis.Reports).Message;
        Assert.Contains("whose slot it took itself", message, StringComparison.Ordinal);
        Assert.Contains("this same flow took its slot earlier, at await _lock.WaitAsync()", message, StringComparison.Ordinal);
        Assert.DoesNotContain("the other semaphore", message, StringComparison.Ordinal);
        Assert.DoesNotContain("in one global order", message, StringComparison.Ordinal);
        Assert.Contains("  Stuck behind it: thread 'caller'", message, StringComparison.Ordinal);
    }
}
