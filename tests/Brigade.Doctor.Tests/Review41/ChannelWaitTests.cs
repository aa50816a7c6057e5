namespace Brigade.Doctor.Tests.Review41;

/// <summary>Audit 4: a thread blocked on a channel's <c>WriteAsync(...).AsTask()</c> is told it waits for room in the channel.</summary>
public sealed class ChannelWaitTests
{
    [Fact]
    public async Task ThreadsBlockedWritingToFullChannels_AreListedAsChannelWrites()
    {
        // Before: "waits in Task.Wait() for task of type System.Threading.Tasks.ValueTask+ValueTaskSourceAsTask".
        var outcome = await CorpusFixture.DiagnoseAsync("channel-writers-blocked-synchronously");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;

        Assert.Empty(diagnosis.Reports);
        var text = diagnosis.ToString();
        foreach (var name in new[] { "server", "client" })
        {
            var line = text.Split('\n').Single(l => l.StartsWith($"  thread '{name}'", StringComparison.Ordinal));
            Assert.Contains("waits in Task.Wait() for a Channel's WriteAsync, waiting for room in a full bounded channel", line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("task of type System.Threading.Tasks.ValueTask+ValueTaskSourceAsTask", text, StringComparison.Ordinal);
    }
}
