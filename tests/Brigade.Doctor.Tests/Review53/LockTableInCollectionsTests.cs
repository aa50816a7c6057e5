namespace Brigade.Doctor.Tests.Review53;

/// <summary>Review 53 (left by review 52, which named array elements only): locks kept in a <c>List&lt;object&gt;</c>, a
/// <c>Dictionary&lt;string, object&gt;</c> or a <c>ConcurrentDictionary&lt;int, object&gt;</c> field are named by the field and
/// their index or key. (The corpus fixture's one diagnosis of the program: no dump of its own.)</summary>
public sealed class LockTableInCollectionsTests
{
    private const string Scenario = "Brigade.Doctor.Corpus.Scenarios.NewLockTableInCollections";

    [Fact]
    public async Task LocksInCollections_AreNamedByFieldAndKey()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("new-lock-table-in-collections");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();

        // Failed before: each read "a local of Brigade.Doctor.Corpus.Scenarios.NewLockTableInCollections.Both" (or .Merge).
        Assert.Contains($"on System.Object (static field {Scenario}.Locks[3])", text, StringComparison.Ordinal);
        Assert.Contains($"on System.Object (static field {Scenario}.NamedLocks[\"orders\"])", text, StringComparison.Ordinal);
        Assert.Contains($"on System.Object (field {Scenario}.Customers._locks[7])", text, StringComparison.Ordinal);
        Assert.Contains($"on System.Object (field {Scenario}.Customers._locks[9])", text, StringComparison.Ordinal);
        Assert.Equal(2, outcome.Diagnosis.Deadlocks.Count);
    }
}
