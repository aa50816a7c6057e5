using Brigade.Doctor.Analysis;
using Brigade.Doctor.Tests.Review52;

namespace Brigade.Doctor.Tests.Review56;

/// <summary>Review 56: a possible deadlock of one thread (a task of a limited-concurrency scheduler of the program's own
/// blocked on a task queued to it; a <c>TryEnter</c> whose timeout a dump cannot show) read "it can never proceed" in its
/// first line, while the paragraph below it said "a possible deadlock"; a cycle of several threads said what it depended
/// on. The first line now says it for one thread too; a certain one is unchanged.</summary>
public sealed class PossibleSelfCycleHeaderTests
{
    [Fact]
    public void APossibleSelfWaitOnItsOwnScheduler_SaysWhatItDependsOn()
    {
        var detail = CustomSchedulerWaits.Detail("Shop.LimitedConcurrencyLevelTaskScheduler", 1, true, true, true, 0, ("_maxDegreeOfParallelism", 1));
        var a = Texts.Thread(5, "pool", WaitKind.Task, "Task.Wait", "System.Threading.Tasks.Task", "local", [5], detail);
        var cycle = new DeadlockCycle([new DeadlockLink(a, a)], []) { IsPossible = true };

        var text = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [a], []).Single().Message;

        // Failed before: "...waits for work that only it can run (Task.Wait); it can never proceed."
        Assert.Contains("; unless its scheduler starts the task some other way, it can never proceed.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void APossibleSelfWaitInTryEnter_SaysItDependsOnTheTimeout()
    {
        var a = Texts.Thread(5, "worker", WaitKind.Monitor, WaitRule.TimedMonitorEnter, "System.Object", "field Shop.Host._gate", [5]);
        var cycle = new DeadlockCycle([new DeadlockLink(a, a)], []) { IsPossible = true };

        var text = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [a], []).Single().Message;

        Assert.Contains("; unless its TryEnter has a finite timeout, it can never proceed.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ACertainSelfWait_IsUnchanged()
    {
        var a = Texts.Thread(5, "ui", WaitKind.Task, "Task.Wait", "System.Threading.Tasks.Task", "local", [5]);
        var cycle = new DeadlockCycle([new DeadlockLink(a, a)], []);

        var text = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [a], []).Single().Message;

        Assert.Contains("waits for work that only it can run (", text, StringComparison.Ordinal);
        Assert.Contains("); it can never proceed.", text, StringComparison.Ordinal);
    }
}
