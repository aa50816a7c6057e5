namespace Brigade.Doctor.Tests.Review43;

/// <summary>Review 43: the throttle deadlock of review 42 written with <c>Task.Run</c> and <c>Task.WhenAll</c> rather than
/// <c>Parallel.ForEachAsync</c>; and (through the corpus label of
/// <c>parallel-foreach-async-nested-under-throttle-outer-timeout</c>) with the outer slots taken by <c>WaitAsync(timeout)</c>.</summary>
public sealed class ThrottleThroughWhenAllTests
{
    [Fact]
    public async Task PoolThreadsHoldingTheThrottleWhileBlockedOnWhenAllOfFlowsNeedingIt_AreAPossibleDeadlock()
    {
        // Before: BRG1008 only, "2 pool threads are blocked synchronously ... for Task.WhenAll of 3 unfinished tasks": the
        // rule followed a Task.WhenAll only into Parallel.ForEachAsync loops, never to the joined flows themselves.
        var outcome = await CorpusFixture.DiagnoseAsync("when-all-task-run-nested-under-throttle");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        Assert.True(diagnosis.Reports.Select(r => r.Code).SequenceEqual(["BRG1001"]), text);
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible);
        Assert.Equal(2, cycle.Links.Count);
        Assert.All(cycle.Links, l => Assert.True(l.Waiter.IsThreadPoolWorker));
        Assert.NotEqual(cycle.Links[0].Waiter.ManagedThreadId, cycle.Links[1].Waiter.ManagedThreadId);

        var message = diagnosis.Reports[0].Message;
        Assert.Contains("SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.WhenAllTaskRunNestedUnderThrottle.Throttle), count 0 of 2", message, StringComparison.Ordinal);
        foreach (var link in cycle.Links)
        {
            // Where each holder took its slot: the outer async lambda, past its await of WaitAsync().
            Assert.Contains($"{link.Waiter} (in Brigade.Doctor.Corpus.Scenarios.WhenAllTaskRunNestedUnderThrottle+<>c.<Start>b__", message, StringComparison.Ordinal);
            Assert.Contains($"{link.Waiter} waits in Task.Wait() for Task.WhenAll of", message, StringComparison.Ordinal);
        }

        Assert.Contains("of its flows wait in SemaphoreSlim.WaitAsync on SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.WhenAllTaskRunNestedUnderThrottle.Throttle)", message, StringComparison.Ordinal);
        Assert.Contains("as a nested Task.WhenAll of Task.Run flows does", message, StringComparison.Ordinal);
        Assert.Contains("Async stacks of the waiting flows", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parallel.ForEachAsync", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlowsHoldingTheThrottleWhileAwaitingWhenAllOfFlowsNeedingIt_AreAnAsyncHangNamingTheHolders()
    {
        // Before: no pitfall. The holders are suspended flows awaiting Task.WhenAll (not a semaphore), so they counted as
        // busy ("a slot taken by a flow not itself stuck will be released"), though every flow they join is stuck on the
        // throttle they hold.
        var outcome = await CorpusFixture.DiagnoseAsync("async-throttle-held-across-awaited-when-all");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        Assert.True(diagnosis.Reports.Select(r => r.Code).SequenceEqual(["BRG1008"]), text);
        var message = diagnosis.Reports[0].Message;
        Assert.StartsWith("Hang detected: thread 'main-like'", message, StringComparison.Ordinal);

        // Who holds what: both slots, each taken by an order flow at its await of WaitAsync, stuck on the join.
        Assert.Contains("SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.AsyncThrottleHeldAcrossAwaitedWhenAll.Throttle), count 0 of 2", message, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(message, @"async flow Brigade\.Doctor\.Corpus\.Scenarios\.AsyncThrottleHeldAcrossAwaitedWhenAll\.ShipOrderAsync \(at AsyncThrottleHeldAcrossAwaitedWhenAll\.Throttle\.WaitAsync\(\)"));
        Assert.Contains("itself stuck (awaiting a Task.WhenAll of flows that wait for this semaphore or are stuck", message, StringComparison.Ordinal);
        Assert.Contains("Do not hold a throttle's slot while awaiting work that takes the same throttle", message, StringComparison.Ordinal);

        // Not the lock-order advice as well: no second lock is taken out of order here.
        Assert.DoesNotContain("in one global order", message, StringComparison.Ordinal);
    }
}
