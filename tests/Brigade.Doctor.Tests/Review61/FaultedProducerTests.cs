namespace Brigade.Doctor.Tests.Review61;

/// <summary>
/// Review 61 (known miss left by review 60): a consumer blocked in <c>GetConsumingEnumerable</c> on a
/// <c>BlockingCollection</c> whose producer task threw before its <c>CompleteAdding()</c> read "empty, adding not completed;
/// no thread is adding to it now" and nothing of why, while review 55 named a full collection's dead consumers. Now the
/// faulted tasks whose code uses a collection of its type are named with their exception, also when the collection is a
/// static field (the lambda's closure has no field of it: its declaring type's statics are read).
/// </summary>
public sealed class FaultedProducerTests
{
    [Fact]
    public async Task AConsumerWhoseProducerTaskThrew_NamesTheTaskAndItsException()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("blocking-collection-empty-no-producer");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        Assert.Empty(diagnosis.Reports);
        var importer = diagnosis.Threads.Single(t => t.Name == "importer");
        Assert.Equal("BlockingCollection.GetConsumingEnumerable", importer.Wait!.Api);
        var line = text.Split('\n').Single(l => l.Contains("thread 'importer'", StringComparison.Ordinal));

        // Failed before: the line ended at "no thread is adding to it now" and its CompleteAdding advice.
        Assert.Contains(
            "no thread is adding to it now; a task whose code uses a collection of this type ended with an exception (a task running Brigade.Doctor.Corpus.Scenarios.BlockingCollectionEmptyNoProducer.Start (lambda) threw FormatException (BlockingCollectionEmptyNoProducer.cs:48): line 3 is not CSV)",
            line, StringComparison.Ordinal);
        Assert.Contains("call CompleteAdding() in a finally", line, StringComparison.Ordinal);

        // The other consumer's collection holds ints: no task of its type faulted; its producer thread ended normally.
        var consumer = text.Split('\n').Single(l => l.Contains("thread 'consumer'", StringComparison.Ordinal));
        Assert.DoesNotContain("ended with an exception", consumer, StringComparison.Ordinal);
    }
}
