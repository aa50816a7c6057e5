namespace Brigade.Doctor.Tests.Review45;

/// <summary>Review 45, a program outside the corpus: a lock left held by a pool thread that went back to the pool.</summary>
public sealed class IdlePoolLockHolderTests
{
    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!;
    }

    [Fact]
    public async Task ALockLeftHeldByAnIdlePoolThread_IsListedAsSuch()
    {
        // Before: "held by pool thread #4 (read lock)", nothing said of that thread being back in the pool.
        var diagnosis = await DiagnoseAsync("read-lock-left-on-pool-thread");
        var text = diagnosis.ToString();
        Assert.Empty(diagnosis.Reports);
        Assert.Contains("thread 'importer'", text, StringComparison.Ordinal);
        Assert.Contains("(read lock), which is idle (back in the pool, between work items)", text, StringComparison.Ordinal);
    }
}
