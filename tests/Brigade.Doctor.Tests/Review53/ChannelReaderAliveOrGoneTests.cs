namespace Brigade.Doctor.Tests.Review53;

/// <summary>Review 53: a write to a full bounded channel said "if its reader has ended" whether the consumer had died or was
/// only slow. Now: no flow or thread refers to the reader, so it has ended (with the consumer's exception when its task is on
/// the heap); or which flow still reads it. (The corpus fixture's diagnoses: no dump of their own.)</summary>
public sealed class ChannelReaderAliveOrGoneTests
{
    [Fact]
    public async Task AConsumerThatThrew_IsAReaderThatHasEnded_WithItsException()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("channel-bounded-consumer-died");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();
        var line = Assert.Single(text.Split('\n'), l => l.Contains("'main-like'", StringComparison.Ordinal));

        // Failed before: "2 of 2 items buffered; if its reader has ended (returned, or a consumer that threw), nothing will make room".
        Assert.Contains("2 of 2 items buffered; no async flow or thread refers to its reader", line, StringComparison.Ordinal);
        Assert.Contains("its reader has ended (an async method ended with an exception: Brigade.Doctor.Corpus.Scenarios.ChannelBoundedConsumerDied.ConsumeAsync threw InvalidDataException (ChannelBoundedConsumerDied.cs:51): bad item 1)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("if its reader has ended", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConsumerAwaitingSomethingElse_IsAReaderThatIsAlive_AndNamed()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("channel-bounded-consumer-slow");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();
        var line = Assert.Single(text.Split('\n'), l => l.Contains("'main-like'", StringComparison.Ordinal));

        // Failed before: the same "if its reader has ended" as for a consumer that died.
        Assert.Contains("2 of 2 items buffered; its reader is alive but has not taken the next item: async method Brigade.Doctor.Corpus.Scenarios.ChannelBoundedConsumerSlow.ConsumeAsync refers to its reader", line, StringComparison.Ordinal);
        Assert.DoesNotContain("has ended", line, StringComparison.Ordinal);
        Assert.False(outcome.Diagnosis.HasPitfalls, text);
    }
}
