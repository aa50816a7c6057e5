using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review56;

/// <summary>Review 56: a limited-concurrency <c>TaskScheduler</c> of the program's own (the docs'
/// <c>LimitedConcurrencyLevelTaskScheduler</c> with one thread) whose only running task blocks on a task queued to it read
/// <c>BRG1008</c>, "queued there, not started", without why it never starts. The heap side was checked on a hung program
/// (/tmp/doctor56-progs, mode LimitedScheduler): the rule and its wording are what is tested here, in process.</summary>
public sealed class LimitedSchedulerRuleTests
{
    private const string Scheduler = "Shop.LimitedConcurrencyLevelTaskScheduler";

    [Fact]
    public void TheOnlyPoolThreadOfAOneTaskScheduler_BlockedOnItsQueue_CannotStartIt()
    {
        var detail = CustomSchedulerWaits.Detail(Scheduler, runners: 1, thisThreadRuns: true, allBlockedOnIt: true, allPoolThreads: true, poolQueued: 0, ("_maxDegreeOfParallelism", 1));

        // Failed before: no such rule (the wait had no detail and no owner).
        Assert.NotNull(detail);
        Assert.StartsWith(CustomSchedulerWaits.Marker, detail, StringComparison.Ordinal);
        Assert.Contains("Shop.LimitedConcurrencyLevelTaskScheduler, a TaskScheduler of the program's own, runs at most 1 task at a time (its field _maxDegreeOfParallelism)", detail, StringComparison.Ordinal);
        Assert.Contains("its only running task is this thread's", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoThreadsOfATwoTaskScheduler_BothBlocked_CannotStartIt()
    {
        var detail = CustomSchedulerWaits.Detail(Scheduler, 2, true, true, true, 0, ("_maxDegreeOfParallelism", 2));

        Assert.Contains("runs at most 2 tasks at a time", detail, StringComparison.Ordinal);
        Assert.Contains("each of the 2 threads running its tasks (this one among them) is blocked alike", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, true, true, true, 0, 2)] // room for another task: the scheduler starts it
    [InlineData(2, true, false, true, 0, 2)] // another runner is not blocked on the queue: it may end and start it
    [InlineData(1, true, true, false, 0, 1)] // a thread of its own (a serial executor): how it gets threads is not in the dump
    [InlineData(1, true, true, true, 1, 1)] // a pool work item queued: maybe the scheduler's request for a thread
    [InlineData(1, false, true, true, 0, 1)] // this thread runs no task of it
    public void AnyDoubt_ListsTheWaitAsBefore(int runners, bool thisThreadRuns, bool allBlocked, bool pool, int queued, int limit)
    {
        Assert.Null(CustomSchedulerWaits.Detail(Scheduler, runners, thisThreadRuns, allBlocked, pool, queued, ("_maxDegreeOfParallelism", limit)));
    }

    [Fact]
    public void NoLimitField_ListsTheWaitAsBefore()
    {
        Assert.Null(CustomSchedulerWaits.Detail(Scheduler, 1, true, true, true, 0, null));
    }
}
