using Brigade.Doctor.Tests.Review64;

namespace Brigade.Doctor.Tests.Review64b;

/// <summary>
/// Review 64b: a producer blocked writing to a full bounded <c>Channel</c> (<c>WriteAsync(1).AsTask().Wait()</c>) under a
/// lock its only consumer takes before each <c>_channel.Reader.ReadAsync()</c> (/tmp/doctor64-hangs mode full-channel-lock).
/// Read "No pitfall found", and the writer's wait said "its reader has ended" (false: the consumer holds the channel and
/// reads it after the lock). Review 64 did this for a <c>BlockingCollection</c>; the channel's reader is another object
/// (<c>channel.Reader</c>), reached through a call. Now a possible cycle (a channel records no reader: other code may read).
/// The program is the corpus's <c>semaphore-wait-under-lock-releaser-behind</c> (one dump for its three cycles).
/// </summary>
public sealed class FullChannelBehindLockTests
{
    [Fact]
    public async Task AWriterBlockedOnAFullChannelUnderALockItsOnlyReaderNeeds_IsAPossibleCycle_NamingTheReadLine()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("semaphore-wait-under-lock-releaser-behind");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        Assert.True(diagnosis.Deadlocks.Count(d => d.Threads.Any(t => t.Name == "mailbox-producer")) == 1, text);
        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "mailbox-producer"));
        Assert.True(cycle.IsPossible, text);
        Assert.Equal(["mailbox-consumer", "mailbox-producer"], cycle.Threads.Select(t => t.Name).Order(StringComparer.Ordinal));
        var link = Assert.Single(cycle.Links, l => l.Wait.Kind == WaitKind.Task);
        Assert.Equal("mailbox-consumer", link.Holder.Name);
        var role = link.Wait.HolderRoles[link.Holder.ManagedThreadId];
        Assert.StartsWith("whose items would be read (", role, StringComparison.Ordinal);
        Assert.Contains($"+Mailbox.Drain (SemaphoreWaitUnderLockReleaserBehind.cs:{CorpusSource.LineOf("SemaphoreWaitUnderLockReleaserBehind.cs", "_channel.Reader.ReadAsync().AsTask().Wait();")}) reads from it after the lock it waits for", role, StringComparison.Ordinal);
        var message = Assert.Single(diagnosis.Reports, r => r.Message.Contains("'mailbox-producer'", StringComparison.Ordinal)).Message;
        Assert.Contains("unless code the dump does not show reads an item from the channel", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: a Channel records no reader.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("its reader has ended", text, StringComparison.Ordinal);

        // The BlockingCollection's cycle beside it is unchanged.
        Assert.Contains(diagnosis.Deadlocks, d => d.IsPossible && d.Threads.Any(t => t.Name == "outbox-producer"));
    }
}
