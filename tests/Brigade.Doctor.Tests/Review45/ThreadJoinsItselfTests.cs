namespace Brigade.Doctor.Tests.Review45;

/// <summary>Review 45, a program outside the corpus: a thread joining itself.</summary>
public sealed class ThreadJoinsItselfTests
{
    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!;
    }

    [Fact]
    public async Task AThreadJoiningItself_IsADeadlockOfOne_WithJoinAdvice()
    {
        // Before: "waits in Thread.Join for System.Threading.Thread (...) — no owner to blame: any thread may release it".
        var diagnosis = await DiagnoseAsync("thread-joins-itself");
        var text = diagnosis.ToString();
        var cycle = Assert.Single(diagnosis.Deadlocks);
        var link = Assert.Single(cycle.Links);
        Assert.Equal("poller", link.Waiter.Name);
        Assert.Contains("joins itself (Thread.Join on its own thread)", text, StringComparison.Ordinal);
        Assert.Contains("Never join the current thread", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SynchronizationContext", text, StringComparison.Ordinal);
    }
}
