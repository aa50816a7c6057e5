namespace Brigade.Doctor.Tests.Review47;

/// <summary>Review 47 (left by review 46): a single <c>SemaphoreSlim</c> whose slot leaked (a <c>Release</c> skipped by an
/// exception, no <c>finally</c>), every flow waiting on it, was told first to "take async locks in one global order": there
/// is one lock and no order. The advice fits the finding now.</summary>
public sealed class LeakedSemaphoreAdviceTests
{
    [Fact]
    public async Task ALeakedSlot_IsAdvisedAReleaseInAFinally_NotALockOrder()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("async-semaphore-slot-leaked");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var report = Assert.Single(outcome.Diagnosis!.Reports);
        Assert.Equal("BRG1008", report.Code);
        Assert.Contains("no suspended flow shows taking its slot", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("global order", report.Message, StringComparison.Ordinal);
        Assert.Contains("release it in a finally", report.Message, StringComparison.Ordinal);
    }
}
