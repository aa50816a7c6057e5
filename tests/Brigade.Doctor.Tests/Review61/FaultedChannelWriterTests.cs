namespace Brigade.Doctor.Tests.Review61;

/// <summary>
/// Review 61 (/tmp/doctor61-progs channelfault): a thread blocked on an <c>await foreach</c> over a channel whose writer, an
/// async method, threw before its <c>Writer.Complete()</c> read "waiting for an item (it ends when a writer writes one, or
/// completes the channel ...)" and nothing of the writer, while a full channel's dead reader (review 53) and a
/// <c>BlockingCollection</c>'s dead producer (this review) are named with their exception. Now the writer is too.
/// </summary>
public sealed class FaultedChannelWriterTests
{
    [Fact]
    public async Task AReaderWhoseWriterThrew_NamesTheWriterAndItsException()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("channel-read-all-no-writer");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        Assert.Empty(diagnosis.Reports);
        var line = text.Split('\n').Single(l => l.Contains("thread 'ledger'", StringComparison.Ordinal));

        // Failed before: the line said only what ends the wait.
        Assert.Contains(
            "reading System.Threading.Channels.UnboundedChannel<System.Decimal> (static field Brigade.Doctor.Corpus.Scenarios.ChannelReadAllNoWriter.Prices): waiting for an item",
            line, StringComparison.Ordinal);
        Assert.Contains(
            "a task whose code uses a channel of this type ended with an exception (Brigade.Doctor.Corpus.Scenarios.ChannelReadAllNoWriter.FeedPricesAsync threw InvalidDataException (ChannelReadAllNoWriter.cs:42): price 3 is negative)",
            line, StringComparison.Ordinal);
        Assert.Contains("must complete the channel in a finally (Writer.TryComplete(exception))", line, StringComparison.Ordinal);

        // The dispatcher's channel carries strings: no writer of its type failed; it stays as it was.
        var dispatcher = text.Split('\n').Single(l => l.Contains("thread 'dispatcher'", StringComparison.Ordinal));
        Assert.DoesNotContain("ended with an exception", dispatcher, StringComparison.Ordinal);
    }
}
