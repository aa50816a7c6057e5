namespace Brigade.Doctor.Tests.Review62;

/// <summary>
/// Review 62 (left by review 61): a faulted producer, writer or consumer named by the doctor ("... threw FormatException:
/// line 3 is not CSV") said nothing of where it threw. The exception's stack trace is in the heap: its innermost frame of
/// the program's code is mapped to its file and line through the PDB, as the threads' frames are.
/// </summary>
public sealed class ThrowSiteTests
{
    [Theory]
    [InlineData("blocking-collection-empty-no-producer", "importer",
        "a task running Brigade.Doctor.Corpus.Scenarios.BlockingCollectionEmptyNoProducer.Start (lambda) threw FormatException (BlockingCollectionEmptyNoProducer.cs:48): line 3 is not CSV")]
    [InlineData("channel-read-all-no-writer", "ledger",
        "Brigade.Doctor.Corpus.Scenarios.ChannelReadAllNoWriter.FeedPricesAsync threw InvalidDataException (ChannelReadAllNoWriter.cs:42): price 3 is negative")]
    [InlineData("channel-bounded-consumer-died", null,
        "Brigade.Doctor.Corpus.Scenarios.ChannelBoundedConsumerDied.ConsumeAsync threw InvalidDataException (ChannelBoundedConsumerDied.cs:51): bad item 1")]
    public async Task AFaultedTaskNamedByTheDoctor_SaysTheFileAndLineOfItsThrow(string scenario, string? thread, string expected)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();
        var where = thread is null ? text : text.Split('\n').Single(l => l.Contains($"thread '{thread}'", StringComparison.Ordinal));

        // Failed before: "... threw FormatException: line 3 is not CSV", no site.
        Assert.Contains(expected, where, StringComparison.Ordinal);
    }
}
