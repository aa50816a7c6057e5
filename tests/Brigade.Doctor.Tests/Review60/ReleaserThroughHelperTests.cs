namespace Brigade.Doctor.Tests.Review60;

/// <summary>
/// Review 60 (left by review 59): a releaser that gives the slot back one call deeper (<c>lock (_gate) { ...; Signal(); }</c>
/// with <c>Signal() =&gt; _free.Release()</c>) read "No pitfall found": only the releaser's innermost method was read.
/// </summary>
public sealed class ReleaserThroughHelperTests
{
    [Fact]
    public async Task AReleaseInAHelperCalledUnderTheLock_IsAPossibleDeadlock()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-wait-under-lock-releaser-calls-helper");
        Assert.Null(outcome.Error);
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        // Failed before: no deadlock ("No pitfall found").
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible, text);
        Assert.Contains("whose slot would be given back (Brigade.Doctor.Corpus.Scenarios.SemaphoreWaitUnderLockReleaserCallsHelper+ConnectionPool.Return (SemaphoreWaitUnderLockReleaserCallsHelper.cs:", text, StringComparison.Ordinal);
        Assert.Contains("in its call to Brigade.Doctor.Corpus.Scenarios.SemaphoreWaitUnderLockReleaserCallsHelper+ConnectionPool.Signal, calls Release on it after the lock it waits for) by thread 'returner'", text, StringComparison.Ordinal);
    }
}
