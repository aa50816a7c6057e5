namespace Brigade.Doctor.Tests.Review45;

/// <summary>Review 45: the advice under a cycle fits its waits: "take the locks in one global order" only for a cycle with
/// two lock waits or more.</summary>
public sealed class CycleAdviceTests
{
    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!;
    }

    [Theory]
    [InlineData("timer-disposed-under-callback-lock", "Timer.Dispose(WaitHandle)")]
    [InlineData("semaphore-held-by-flow-awaiting-locked-work", "do not block on the semaphore")]
    [InlineData("join-while-holding", "never join a thread while holding something it needs")]
    [InlineData("task-wait-under-lock", "do not block on a task while holding what its code needs")]
    public async Task ACycleWithOneLock_GetsTheAdviceOfItsOtherWait_NotTheLockOrder(string scenario, string advice)
    {
        // Before: "Take the locks in one global order" for every cycle with a lock in it; one lock has no order.
        var diagnosis = await DiagnoseAsync(scenario);
        var message = Assert.Single(diagnosis.Reports).Message;
        Assert.DoesNotContain("in one global order", message, StringComparison.Ordinal);
        Assert.Contains(advice, message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ACycleOfTwoLocks_StillGetsTheLockOrderAdvice()
    {
        var message = Assert.Single((await DiagnoseAsync("abba-lock")).Reports).Message;
        Assert.Contains("Take the locks in one global order", message, StringComparison.Ordinal);
    }
}
