namespace Brigade.Doctor.Tests.Review45;

/// <summary>Review 45, a program outside the corpus: <c>GC.WaitForPendingFinalizers</c> under a lock a finalizer takes.</summary>
public sealed class PendingFinalizersTests
{
    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!;
    }

    [Fact]
    public async Task WaitingForPendingFinalizersUnderALockAFinalizerTakes_IsADeadlockWithTheFinalizerThread()
    {
        // Before: the compactor was not shown waiting at all (GC.WaitForPendingFinalizers was no known wait), the
        // finalizer thread listed "held by" it, no pitfall.
        var diagnosis = await DiagnoseAsync("finalizer-lock-under-pending-finalizers-wait");
        var text = diagnosis.ToString();
        Assert.True(diagnosis.Reports.Select(r => r.Code).SequenceEqual(["BRG1001"]), text);
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.False(cycle.IsPossible);
        Assert.Contains(cycle.Links, l => l.Waiter.Name == "compactor" && l.Wait.Api == "GC.WaitForPendingFinalizers" && l.Holder.Name == "finalizer");
        Assert.Contains("it is running Brigade.Doctor.Corpus.Scenarios.FinalizerLockUnderPendingFinalizersWait.Buffer's finalizer", text, StringComparison.Ordinal);
        Assert.Contains("never call GC.WaitForPendingFinalizers while holding a lock a finalizer takes", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("in one global order", text, StringComparison.Ordinal);
    }
}
