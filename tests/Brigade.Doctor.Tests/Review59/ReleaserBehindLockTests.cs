namespace Brigade.Doctor.Tests.Review59;

/// <summary>
/// Review 59: <c>SemaphoreSlim.Wait()</c> inside a <c>lock</c> whose releaser takes that lock first (/tmp/doctor59-progs
/// mode seminlock, a connection pool) read "No pitfall found", the renter listed with "if that thread is to release it,
/// they deadlock". The returner's own method calls <c>Release</c> on that semaphore after the lock it waits for: a possible
/// deadlock of the two.
/// </summary>
public sealed class ReleaserBehindLockTests
{
    [Fact]
    public async Task ASemaphoreWaitUnderALockItsReleaserNeeds_IsAPossibleDeadlock()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-wait-under-lock-releaser-behind");
        Assert.Null(outcome.Error);
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        // Failed before: no deadlock ("No pitfall found").
        // Review 64: the program has a second cycle (Review64/FullQueueTakerBehindLockTests).
        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "renter"));
        Assert.True(cycle.IsPossible, text);
        Assert.Contains("whose slot would be given back (", text, StringComparison.Ordinal);
        Assert.Contains("+ConnectionPool.Return (SemaphoreWaitUnderLockReleaserBehind.cs:", text, StringComparison.Ordinal);
        Assert.Contains(" calls Release on it after the lock it waits for) by thread 'returner'", text, StringComparison.Ordinal);
        Assert.Contains("Do not block on a semaphore (Wait()) while holding a lock its releaser takes first", text, StringComparison.Ordinal);
    }
}
