namespace Brigade.Doctor.Tests.Review45;

/// <summary>Review 45: a lock object found only as the target of a delegate made from a method group is named by that
/// method, not <c>field System.Action._target</c>.</summary>
public sealed class MethodGroupDelegateTests
{
    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!;
    }

    [Fact]
    public async Task ALockThatIsTheTargetOfAMethodGroupDelegate_IsNamedByTheMethod()
    {
        // Before: "System.Object (field System.Action._target)".
        var diagnosis = await DiagnoseAsync("method-group-this-lock-pair");
        var text = diagnosis.ToString();
        Assert.Single(diagnosis.Deadlocks);
        Assert.DoesNotContain("System.Action._target", text, StringComparison.Ordinal);
        Assert.Contains("the target of the delegate Brigade.Doctor.Corpus.Scenarios.MethodGroupThisLockPair.Ledger.", text, StringComparison.Ordinal);
    }
}
