using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review64b;

/// <summary>
/// Review 64b: <c>Task.WaitAll</c> in the only running task of a one-task <c>LimitedConcurrencyLevelTaskScheduler</c>, on
/// tasks queued to that same scheduler (/tmp/doctor64-hangs mode waitall-lcts), read <c>BRG1008</c> "queued there, not
/// started, one of 3 tasks it waits for, all needed", where <c>.Wait()</c> on one such task (mode wait-lcts) reads a
/// possible <c>BRG1001</c>: <see cref="CustomSchedulerWaits.Mark"/> skipped any wait with a detail, and a WaitAll's is set
/// before it runs. The heap side was checked on the hung program (it now reads <c>BRG1001</c>, possible); the corpus has no
/// program with such a scheduler (review 56's rule is tested in process), and a new one would cost the suite a dump.
/// </summary>
public sealed class WaitAllOnLimitedSchedulerTests
{
    [Fact]
    public void AWaitAllsDetail_DoesNotKeepItFromTheSchedulerRule()
    {
        // Failed before: the filter was `Owners.Count == 0 && Detail is null`.
        Assert.True(CustomSchedulerWaits.MayMark(0, "one of 3" + CustomSchedulerWaits.AllNeeded));
        Assert.True(CustomSchedulerWaits.MayMark(0, null));
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(0, "which its scheduler does not start: ...")]
    [InlineData(0, "the task of a TaskCompletionSource that nothing has completed yet")]
    public void AnOwnerOrAnyOtherDetail_StillKeepsItOut(int owners, string? detail)
    {
        Assert.False(CustomSchedulerWaits.MayMark(owners, detail));
    }
}
