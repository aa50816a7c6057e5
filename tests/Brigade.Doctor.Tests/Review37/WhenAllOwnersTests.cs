namespace Brigade.Doctor.Tests.Review37;

/// <summary>Review 37: a wait on an async method awaiting <c>Task.WhenAll</c> needs every thread running a joined flow.</summary>
public sealed class WhenAllOwnersTests
{
    [Fact]
    public async Task ACallerOnWhenAllOfFlowsInALockCycle_IsStuckBehindTheCycle()
    {
        // Before: the caller was listed apart, "no thread runs its code now: it ends when what it awaits completes",
        // while both flows it joins were running, deadlocked, on pool threads.
        var outcome = await CorpusFixture.DiagnoseAsync("when-all-flows-in-lock-cycle");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.Equal(["flow-flush", "flow-ingest"], cycle.Threads.Select(t => t.Name).Order());
        Assert.Contains(cycle.AlsoStuck, t => t.Name == "caller");
        var caller = Assert.Single(diagnosis.Threads, t => t.Name == "caller");
        Assert.Equal(cycle.Threads.Select(t => t.ManagedThreadId).Order(), caller.Wait!.Owners.Order());
        Assert.DoesNotContain("it ends when what it awaits completes", diagnosis.ToString(), StringComparison.Ordinal);
    }
}
