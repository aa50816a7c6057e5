using Brigade.Engines;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Review49;

/// <summary>
/// Review 49: an item abandoned a second after its caller left failed with "... after the run was cancelled" also when
/// the caller was a stream's reader that left its loop (lib48 made only the caller's token or a stream's reader abandon):
/// the reader had cancelled nothing. The message now says which. Both ways an item is awaited: through the worker's race
/// (awaited batches) and blocked on an engine's own thread (<see cref="ItemRace{TOut}.Block"/>).
/// </summary>
public sealed class AbandonedItemCauseTests
{
    private const string ReaderLeft = "after the stream's reader left its loop";
    private const string Cancelled = "after the run was cancelled";

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AwaitedItem_IgnoringItsToken_SaysWhetherTheReaderLeftOrTheRunWasCancelled(bool readerLeaves)
    {
        // As the job has them: the leave token is linked to the caller's, and a reader leaving cancels it alone.
        var time = new FakeTimeProvider();
        using var caller = new CancellationTokenSource();
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(caller.Token);
        var race = new ItemRace<int>(time, leave.Token, caller.Token);
        var pending = race.Await(new ValueTask<int>(new TaskCompletionSource<int>().Task));

        await (readerLeaves ? leave : caller).CancelAsync();
        time.Advance(ItemRace<int>.Grace);

        // Before: "after the run was cancelled" either way.
        var e = await Assert.ThrowsAsync<ItemAbandonedException>(async () => await pending);
        Assert.Contains(readerLeaves ? ReaderLeft : Cancelled, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(readerLeaves ? Cancelled : ReaderLeft, e.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BlockedItem_IgnoringItsToken_SaysWhetherTheReaderLeftOrTheRunWasCancelled(bool readerLeaves)
    {
        using var caller = new CancellationTokenSource();
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(caller.Token);
        var never = new TaskCompletionSource<int>().Task;

        // An engine's own thread blocks on the item (Block waits out the real one-second grace there).
        var blocked = Task.Factory.StartNew(
            () => ItemRace<int>.Block(new ValueTask<int>(never), leave.Token, caller.Token),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        await (readerLeaves ? leave : caller).CancelAsync();

        var e = await Assert.ThrowsAsync<ItemAbandonedException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(readerLeaves ? ReaderLeft : Cancelled, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(readerLeaves ? Cancelled : ReaderLeft, e.Message, StringComparison.Ordinal);
    }
}
