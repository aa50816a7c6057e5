namespace Brigade.Doctor.Tests.Review64;

/// <summary>
/// Review 64: two waits with no owner whose only way out is code of a thread that waits for the waiter. A thread that joins
/// a worker before it sets the event the worker waits for (<c>worker.Join(); go.Set();</c>, /tmp/doctor64-hangs mode
/// join-before-set), and a producer adding to a full <c>BlockingCollection</c> under a lock its only consumer takes before
/// each <c>Take</c> (mode full-queue-lock). Both read "No pitfall found". Now possible cycles (an event and a collection
/// record no owner: other code may set it, or take an item). The programs are the corpus's <c>join-each-other</c> and
/// <c>semaphore-wait-under-lock-releaser-behind</c> (one dump each for both of their cycles).
/// </summary>
public sealed class SetOrTakeBehindWaitTests
{
    [Fact]
    public async Task AThreadJoiningAWorkerBeforeSettingTheEventItWaitsFor_IsAPossibleCycle_NamingTheSetLine()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("join-each-other");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "launcher"));
        Assert.True(cycle.IsPossible, text);
        Assert.Equal(["launched", "launcher"], cycle.Threads.Select(t => t.Name).Order(StringComparer.Ordinal));
        var link = Assert.Single(cycle.Links, l => l.Wait.Kind == WaitKind.ManualResetEventSlim);
        Assert.Equal("launcher", link.Holder.Name);
        var role = link.Wait.HolderRoles[link.Holder.ManagedThreadId];
        Assert.StartsWith("which would be set (", role, StringComparison.Ordinal);
        Assert.Contains($"JoinEachOther.cs:{CorpusSource.LineOf("JoinEachOther.cs", "go.Set();")}) calls Set on it after the Join it waits in", role, StringComparison.Ordinal);
        Assert.Contains("unless code the dump does not show sets the event, none of them can ever proceed", text, StringComparison.Ordinal);
        Assert.Contains("Set an event before joining", text, StringComparison.Ordinal);

        // The ring of joins beside it is certain, as before.
        Assert.Contains(diagnosis.Deadlocks, d => !d.IsPossible && d.Threads.Any(t => t.Name == "joiner-1"));
    }

    [Fact]
    public async Task AProducerBlockedOnAFullCollectionUnderALockItsOnlyTakerNeeds_IsAPossibleCycle()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-wait-under-lock-releaser-behind");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "outbox-producer"));
        Assert.True(cycle.IsPossible, text);
        Assert.Equal(["outbox-consumer", "outbox-producer"], cycle.Threads.Select(t => t.Name).Order(StringComparer.Ordinal));
        var link = Assert.Single(cycle.Links, l => l.Wait.Api == "BlockingCollection.Add");
        Assert.Equal("outbox-consumer", link.Holder.Name);
        var role = link.Wait.HolderRoles[link.Holder.ManagedThreadId];
        Assert.StartsWith("whose items would be taken (", role, StringComparison.Ordinal);
        Assert.Contains($"+Outbox.Drain (SemaphoreWaitUnderLockReleaserBehind.cs:{CorpusSource.LineOf("SemaphoreWaitUnderLockReleaserBehind.cs", "_queue.Take();")}) takes from it after the lock it waits for", role, StringComparison.Ordinal);
        var message = Assert.Single(diagnosis.Reports, r => r.Message.Contains("'outbox-producer'", StringComparison.Ordinal)).Message;
        Assert.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (BlockingCollection, lock/Monitor); unless code the dump does not show takes an item", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a BlockingCollection records no consumer.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("async flow", message, StringComparison.Ordinal);
    }
}
