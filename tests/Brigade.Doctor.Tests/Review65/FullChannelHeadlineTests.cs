namespace Brigade.Doctor.Tests.Review65;

/// <summary>
/// Review 65: the headline of a cycle through a writer blocked on a full bounded <c>Channel</c>
/// (<c>WriteAsync(1).AsTask().Wait()</c>) under a lock its only reader needs read "(lock/Monitor, a blocking wait on a task)":
/// the kinds of wait of its links, the writer's a task's. It now names what the writer waits for, a full channel, as a
/// producer in <c>BlockingCollection.Add</c> is named by its collection. The program is the corpus's
/// <c>semaphore-wait-under-lock-releaser-behind</c> (one dump for its three cycles).
/// </summary>
public sealed class FullChannelHeadlineTests
{
    [Fact]
    public async Task TheHeadlineOfACycleThroughAWriterOnAFullChannel_NamesTheFullChannel()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-wait-under-lock-releaser-behind");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();
        string Headline(string thread) => outcome.Diagnosis.Reports.Single(r => r.Threads.Any(t => t.Name == thread)).Message.Split('\n')[0];

        var channel = Headline("mailbox-producer");
        Assert.True(channel.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (", StringComparison.Ordinal), text);
        Assert.True(channel.Contains("a full Channel", StringComparison.Ordinal) && channel.Contains("lock/Monitor", StringComparison.Ordinal), channel);
        Assert.DoesNotContain("a blocking wait on a task", channel, StringComparison.Ordinal);

        // A producer in BlockingCollection.Add is named by its collection, as since review 64.
        Assert.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (BlockingCollection, lock/Monitor)", Headline("outbox-producer"), StringComparison.Ordinal);

        // The third cycle (a SemaphoreSlim and a lock) is named as before.
        var semaphore = Headline("renter");
        Assert.True(semaphore.Contains("SemaphoreSlim", StringComparison.Ordinal) && !semaphore.Contains("a full", StringComparison.Ordinal), semaphore);
    }
}
