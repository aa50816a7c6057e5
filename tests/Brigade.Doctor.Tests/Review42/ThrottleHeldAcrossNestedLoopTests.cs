namespace Brigade.Doctor.Tests.Review42;

/// <summary>Review 42: <c>Parallel.ForEachAsync</c> bodies holding every slot of a throttle while blocked on a nested
/// <c>Parallel.ForEachAsync(...).Wait()</c> whose bodies wait for the same throttle are a (possible) deadlock, not only
/// blocked pool threads; a body whose <c>WaitAsync(token)</c> was cancelled holds no slot; with a timeout the waits end.</summary>
public sealed class ThrottleHeldAcrossNestedLoopTests
{
    [Fact]
    public async Task BodiesHoldingTheThrottleWhileBlockedOnANestedLoopNeedingIt_AreAPossibleDeadlock()
    {
        // Before: BRG1008 only, "2 pool threads are blocked synchronously on unfinished tasks": the slots taken with
        // WaitAsync(token) were not counted as held, and the inner loop's bodies were not followed from its task.
        var outcome = await CorpusFixture.DiagnoseAsync("parallel-foreach-async-nested-under-throttle");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        Assert.True(diagnosis.Reports.Select(r => r.Code).SequenceEqual(["BRG1001"]), text);
        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible);
        Assert.Equal(2, cycle.Links.Count);
        Assert.All(cycle.Links, l => Assert.True(l.Waiter.IsThreadPoolWorker));
        Assert.All(cycle.Links, l => Assert.Equal(WaitKind.Task, l.Wait.Kind));
        Assert.NotEqual(cycle.Links[0].Waiter.ManagedThreadId, cycle.Links[1].Waiter.ManagedThreadId);

        var message = diagnosis.Reports[0].Message;

        // The throttle, the threads holding its slots (and where they took them), the nested loop and its waiting bodies.
        Assert.Contains("SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.ParallelForEachAsyncNestedUnderThrottle.Throttle), count 0 of 2", message, StringComparison.Ordinal);
        foreach (var link in cycle.Links)
        {
            Assert.Contains($"{link.Waiter} (in Brigade.Doctor.Corpus.Scenarios.ParallelForEachAsyncNestedUnderThrottle+<>c.<Start>b__", message, StringComparison.Ordinal);
            Assert.Contains($"{link.Waiter} waits in Task.Wait() for the task of a Parallel.ForEachAsync", message, StringComparison.Ordinal);
        }

        Assert.Contains("2 of its bodies wait in SemaphoreSlim.WaitAsync with a CancellationToken on SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.ParallelForEachAsyncNestedUnderThrottle.Throttle)", message, StringComparison.Ordinal);
        Assert.Contains("ParallelForEachAsyncNestedUnderThrottle.ShipLines (async lambda)", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a SemaphoreSlim records no owner.", message, StringComparison.Ordinal);
        Assert.Contains("\"possible\": true", diagnosis.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyPastACancelledWaitAsyncToken_HoldsNoSlot()
    {
        // A catch past `await Throttle.WaitAsync(token)` in IL order runs after a cancelled wait: the slot is the main
        // thread's (given back by a timer). Counting it as the body's made this a deadlock of one thread.
        var outcome = await CorpusFixture.DiagnoseAsync("twin-parallel-foreach-async-cancelled-wait-under-throttle");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        Assert.Empty(diagnosis.Deadlocks);
        Assert.True(diagnosis.Reports.Select(r => r.Code).SequenceEqual(["BRG1008"]), text);
        Assert.Contains("waits in Task.Wait() for the task of a Parallel.ForEachAsync", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("twin-parallel-foreach-async-nested-under-throttle-timeout")]
    [InlineData("twin-parallel-foreach-async-nested-under-throttle-timeout-and-token")]
    public async Task TheSameShapeWithTimedWaitAsync_IsNoDeadlock(string scenario)
    {
        // WaitAsync(timeout) and WaitAsync(timeout, token) end by themselves (and return whether they took the slot,
        // which the dump does not keep): pool threads blocked, BRG1008, never a deadlock.
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        Assert.Empty(diagnosis.Deadlocks);
        Assert.True(diagnosis.Reports.Select(r => r.Code).SequenceEqual(["BRG1008"]), text);
    }
}
