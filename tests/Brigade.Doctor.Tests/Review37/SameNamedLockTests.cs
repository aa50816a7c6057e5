namespace Brigade.Doctor.Tests.Review37;

/// <summary>Review 37: locks of two instances of one class, both named by the same field, are told apart by address.</summary>
public sealed class SameNamedLockTests
{
    [Fact]
    public async Task ACycleThroughTwoInstancesOfOneField_NamesEachLockByItsAddress()
    {
        // Before: both links read "on System.Object (field Room._members)": the reader could not tell which room's lock
        // each thread holds and which it waits for.
        var outcome = await CorpusFixture.DiagnoseAsync("same-field-lock-pair");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var cycle = Assert.Single(diagnosis.Deadlocks);
        var message = Assert.Single(diagnosis.Reports).Message;

        var targets = cycle.Links.Select(l => l.Wait.Target!).ToList();
        Assert.Equal(2, targets.Select(t => t.Address).Distinct().Count());
        Assert.All(targets, t => Assert.Contains($"({t.HeldIn}) @{t.Address:x} at ", message, StringComparison.Ordinal));
    }
}
