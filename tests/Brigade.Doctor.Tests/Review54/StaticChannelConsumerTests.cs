namespace Brigade.Doctor.Tests.Review54;

/// <summary>Review 54: a write to a full bounded channel held in a static field, whose consumer reads through that static and
/// holds nothing of it across its await, read "its reader has ended" (the consumer is alive), or, when the blocked writer's own
/// frames kept the channel in a local, "its reader is alive ...: thread 'order-producer' refers to its reader" (the writer
/// itself). (The corpus fixture's diagnosis of exclusive-scheduler-self-wait, which carries this shape too.)</summary>
public sealed class StaticChannelConsumerTests
{
    [Fact]
    public async Task AFullChannelInAStatic_WithAnUnfinishedConsumer_IsNeitherEndedNorReadByItsWriter()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("exclusive-scheduler-self-wait");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();
        var line = Assert.Single(text.Split('\n'), l => l.Contains("'order-producer'", StringComparison.Ordinal) && l.Contains(" waits in ", StringComparison.Ordinal));

        Assert.Contains("2 of 2 items buffered; no async flow or thread holds its reader, but the channel is in a static field Brigade.Doctor.Corpus.Scenarios.ExclusiveSchedulerSelfWait.Orders", line, StringComparison.Ordinal);
        Assert.Contains("the dump cannot tell whether its reader has ended or waits on something else", line, StringComparison.Ordinal);
        Assert.Contains("ExclusiveSchedulerSelfWait.ConsumeAsync", line, StringComparison.Ordinal);
        Assert.DoesNotContain("its reader has ended,", line, StringComparison.Ordinal);
        Assert.DoesNotContain("refers to its reader", line, StringComparison.Ordinal);
    }
}
