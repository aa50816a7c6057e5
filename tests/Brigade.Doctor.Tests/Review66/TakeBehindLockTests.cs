using Brigade.Doctor.Tests.Review64;

namespace Brigade.Doctor.Tests.Review66;

/// <summary>
/// Review 66: a consumer blocked in <c>BlockingCollection.Take()</c> on an empty collection while it holds a lock whose
/// producer adds to that collection after taking it (/tmp/doctor66-waits mode take: <c>lock (Cache) { Queue.Take(); }</c>
/// against <c>lock (Cache) { Queue.Add(1); }</c>) read "No pitfall found", the consumer "meanwhile it holds a lock thread
/// 'producer' waits for: if that thread is to add an item to it, they deadlock". Now a possible cycle, the mirror of review
/// 64's full collection. The program is the corpus's <c>semaphore-wait-under-lock-releaser-behind</c> (its fourth cycle).
/// </summary>
public sealed class TakeBehindLockTests
{
    [Fact]
    public async Task ATakeOnAnEmptyCollectionUnderALockItsProducerTakesFirst_IsAPossibleCycle_NamingTheAddLine()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-wait-under-lock-releaser-behind");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "inbox-consumer"));
        Assert.True(cycle.IsPossible, text);
        Assert.Equal(["inbox-consumer", "inbox-producer"], cycle.Threads.Select(t => t.Name).Order(StringComparer.Ordinal));
        var link = Assert.Single(cycle.Links, l => l.Wait.Api == "BlockingCollection.Take");
        Assert.Equal("inbox-producer", link.Holder.Name);
        var role = link.Wait.HolderRoles[link.Holder.ManagedThreadId];
        Assert.StartsWith("to which an item would be added (", role, StringComparison.Ordinal);
        Assert.Contains($"+Inbox.Post (SemaphoreWaitUnderLockReleaserBehind.cs:{CorpusSource.LineOf("SemaphoreWaitUnderLockReleaserBehind.cs", "_queue.Add(item);")}) adds to it after the lock it waits for", role, StringComparison.Ordinal);
        var message = Assert.Single(diagnosis.Reports, r => r.Message.Contains("'inbox-consumer'", StringComparison.Ordinal)).Message;
        Assert.Contains("unless code the dump does not show adds an item to the collection, none of them can ever proceed", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a BlockingCollection records no producer.", message, StringComparison.Ordinal);
        Assert.Contains("Never take from a BlockingCollection while holding a lock its producer takes before it adds", message, StringComparison.Ordinal);
        // Named by what the program called, not by the SemaphoreSlim inside the collection.
        Assert.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (BlockingCollection, lock/Monitor); unless code the dump does not show adds an item", message, StringComparison.Ordinal);
    }
}
