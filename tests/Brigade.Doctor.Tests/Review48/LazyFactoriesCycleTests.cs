namespace Brigade.Doctor.Tests.Review48;

/// <summary>Review 48: two <c>Lazy&lt;T&gt;</c> factories reading each other's <c>Value</c> on two threads were found, but each lock was
/// named <c>System.LazyHelper @addr</c> and the advice was a global lock order the program cannot follow. (The corpus fixture's
/// one diagnosis of the program: no dump of its own.)</summary>
public sealed class LazyFactoriesCycleTests
{
    [Fact]
    public async Task TwoLazyFactoriesReadingEachOther_NameEachLazy_AndAdviseOnTheFactories()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("lazy-value-cycle");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var report = Assert.Single(outcome.Diagnosis!.Reports);
        Assert.Contains("System.Lazy<System.String> static field Brigade.Doctor.Corpus.Scenarios.LazyValueCycle.Settings", report.Message, StringComparison.Ordinal);
        Assert.Contains("System.Lazy<System.String> static field Brigade.Doctor.Corpus.Scenarios.LazyValueCycle.Catalog", report.Message, StringComparison.Ordinal);
        Assert.Contains("remove the dependency between the factories", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("global order", report.Message, StringComparison.Ordinal);
    }
}
