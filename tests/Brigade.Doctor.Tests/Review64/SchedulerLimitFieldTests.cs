using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review64;

/// <summary>
/// Review 64: a <c>LimitedConcurrencyLevelTaskScheduler(int max)</c> of a user's own (a primary constructor; its bound kept in
/// the field <c>&lt;max&gt;P</c>) whose only running task blocks on a task queued to it (/tmp/doctor64-hangs mode wait-lcts)
/// read <c>BRG1008</c>, "queued there, not started": the limit was read only from a field named for a degree of parallelism
/// or a concurrency. A bare bound (<c>max</c>, <c>_limit</c>, <c>_maxTasks</c>) is now read when no such field is there
/// (the rule itself is review 56's, LimitedSchedulerRuleTests).
/// </summary>
public sealed class SchedulerLimitFieldTests
{
    [Theory]
    [InlineData("_maxDegreeOfParallelism", 1)]
    [InlineData("_concurrencyLevel", 1)]
    [InlineData("<maxDegreeOfParallelism>P", 1)]
    [InlineData("<max>P", 2)]
    [InlineData("_max", 2)]
    [InlineData("_limit", 2)]
    [InlineData("_maxTasks", 2)]
    [InlineData("_maxQueueLength", 0)]
    [InlineData("_delegatesQueuedOrRunning", 0)]
    [InlineData("_running", 0)]
    public void ASchedulersIntField_IsReadAsItsLimitByItsName(string field, int rank)
    {
        Assert.Equal(rank, CustomSchedulerWaits.LimitFieldRank(field));
    }
}
