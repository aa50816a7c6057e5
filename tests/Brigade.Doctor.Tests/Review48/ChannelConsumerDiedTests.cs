namespace Brigade.Doctor.Tests.Review48;

/// <summary>Review 48 (left by review 47): a blocked write to a full bounded channel whose consumer died named the operation's
/// type, not the channel. (The corpus fixture's one diagnosis of the program: no dump of its own.)</summary>
public sealed class ChannelConsumerDiedTests
{
    [Fact]
    public async Task AWriteToAFullBoundedChannel_NamesTheChannel_AndSaysWhatEndsIt()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("channel-bounded-consumer-died");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();
        var line = Assert.Single(text.Split('\n'), l => l.Contains("'main-like'", StringComparison.Ordinal));
        Assert.Contains("writing to System.Threading.Channels.BoundedChannel<System.Int32> (static field Brigade.Doctor.Corpus.Scenarios.ChannelBoundedConsumerDied.Work), 2 of 2 items buffered", line, StringComparison.Ordinal);
        Assert.Contains("Writer.TryComplete(exception)", line, StringComparison.Ordinal);
        Assert.False(outcome.Diagnosis.HasPitfalls, text);
        Assert.Contains(outcome.Diagnosis.BlockedWithoutOwner, t => t.Name == "main-like" && t.Wait!.Kind == WaitKind.Task);
    }
}
