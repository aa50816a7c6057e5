namespace Brigade.Doctor.Tests.Review45;

/// <summary>Review 45: a thread spinning in <c>SpinLock.Enter</c> is shown so, held by the <c>SpinLock</c>'s owner (it
/// showed as <c>Thread.Sleep</c>, its <c>SpinWait</c>'s back-off).</summary>
public sealed class SpinLockTests
{
    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!;
    }

    [Fact]
    public async Task ASpinLockSpinner_IsNamedAsSpinningOnTheSpinLock_HeldByItsOwner()
    {
        // Before: the spinner "waits in Thread.Sleep" (its SpinWait's Sleep(1)), no pitfall.
        var diagnosis = await DiagnoseAsync("spin-lock-under-lock");
        var text = diagnosis.ToString();
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.Contains(cycle.Links, l => l.Wait.Kind.ToString() == "SpinLock" && l.Holder.Name == "spin-holder");
        Assert.Contains("thread 'spinner' (#", text, StringComparison.Ordinal);
        Assert.Contains("waits in SpinLock.Enter on", text, StringComparison.Ordinal);
        Assert.Contains("held by thread 'spin-holder'", text, StringComparison.Ordinal);
    }
}
