namespace Brigade.Doctor.Tests.Review44;

/// <summary>Review 44 (known miss of review 43): a thread blocked in a <c>BlockingCollection</c> was shown as
/// <c>SemaphoreSlim.Wait on System.Threading.SemaphoreSlim, count 0</c>, the semaphore <c>Add</c> and <c>Take</c> wait on
/// inside. Now: the collection, full or empty, and who else takes or adds.</summary>
public sealed class BlockingCollectionWaitTests
{
    [Fact]
    public async Task AProducerOnAFullBoundedCollection_SaysItIsFullAndThatNoThreadTakes()
    {
        var diagnosis = await DiagnoseAsync("blocking-collection-full-no-consumer");
        var text = diagnosis.ToString();

        Assert.Empty(diagnosis.Reports);
        var producer = diagnosis.Threads.Single(t => t.Name == "producer");
        Assert.Equal("BlockingCollection.Add", producer.Wait!.Api);
        Assert.StartsWith("System.Collections.Concurrent.BlockingCollection<System.String>", producer.Wait.Target!.TypeName, StringComparison.Ordinal);
        var line = text.Split('\n').Single(l => l.Contains("thread 'producer'", StringComparison.Ordinal));
        Assert.Contains("full: 2 items, its bounded capacity", line, StringComparison.Ordinal);
        Assert.Contains("no thread is taking from it (none in Take, TryTake or GetConsumingEnumerable)", line, StringComparison.Ordinal);
        Assert.Contains("if the consumers have ended (an exception out of their loop), for ever", line, StringComparison.Ordinal);
        Assert.DoesNotContain("no owner to blame", line, StringComparison.Ordinal);
        Assert.DoesNotContain("count 0", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConsumerOnAnEmptyCollection_SaysItIsEmptyAndAsksForCompleteAdding()
    {
        var diagnosis = await DiagnoseAsync("blocking-collection-empty-no-producer");
        var text = diagnosis.ToString();

        Assert.Empty(diagnosis.Reports);
        var consumer = diagnosis.Threads.Single(t => t.Name == "consumer");
        Assert.Equal("BlockingCollection.GetConsumingEnumerable", consumer.Wait!.Api);
        var line = text.Split('\n').Single(l => l.Contains("thread 'consumer'", StringComparison.Ordinal));
        Assert.Contains("empty, adding not completed; no thread is adding to it now", line, StringComparison.Ordinal);
        Assert.Contains("they must call CompleteAdding()", line, StringComparison.Ordinal);
        Assert.DoesNotContain("no owner to blame", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdleConsumersOfALiveQueue_StayNoPitfall_AndSayTheCollectionIsEmpty()
    {
        // The correct twin: two consumers waiting between bursts. Their waits say the collection is empty (main added its items and went on).
        var diagnosis = await DiagnoseAsync("twin-producer-consumer");
        var text = diagnosis.ToString();

        Assert.Empty(diagnosis.Reports);
        Assert.All(diagnosis.Threads.Where(t => t.Name is "consumer-0" or "consumer-1"), t =>
        {
            Assert.Equal("BlockingCollection.GetConsumingEnumerable", t.Wait!.Api);
            Assert.Equal("empty, adding not completed; no thread is adding to it now", t.Wait.Detail);
        });
        Assert.Contains("No pitfall found", text, StringComparison.Ordinal);
    }

    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!;
    }
}
