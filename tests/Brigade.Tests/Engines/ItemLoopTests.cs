using Brigade.Engines;

namespace Brigade.Tests.Engines;

/// <summary>The one item loop: failures, cancellation and what counts as run, synchronous and asynchronous.</summary>
public sealed class ItemLoopTests
{
    [Fact]
    public void Run_AfterAFailure_ReentersAtTheNextItem()
    {
        var work = new Work(fail: [2, 3]);
        var sink = new RecordingSink();

        var ran = ItemLoop.Run<int, int, Work, RecordingSink>([1, 2, 3, 4], work, ref sink, CancellationToken.None);

        Assert.Equal(4, ran);
        Assert.Equal(["ok 0=10", "failed 1: item 2", "failed 2: item 3", "ok 3=40"], sink.Log);
    }

    [Fact]
    public void Run_CancelledWhileAnItemThrowsCancellation_StopsThere_ItemNotRun()
    {
        using var cts = new CancellationTokenSource();
        var work = new Work(cancelAt: 2, cts: cts);
        var sink = new RecordingSink();

        var ran = ItemLoop.Run<int, int, Work, RecordingSink>([1, 2, 3], work, ref sink, cts.Token);

        Assert.Equal(1, ran);
        Assert.Equal(["ok 0=10"], sink.Log);
    }

    [Fact]
    public void Run_CancellationExceptionWhileTheRunGoesOn_IsTheItemsFailure()
    {
        var work = new Work(throwCancelAt: 2);
        var sink = new RecordingSink();

        var ran = ItemLoop.Run<int, int, Work, RecordingSink>([1, 2, 3], work, ref sink, CancellationToken.None);

        Assert.Equal(3, ran);
        Assert.Equal(["ok 0=10", "failed 1: OperationCanceledException", "ok 2=30"], sink.Log);
    }

    [Fact]
    public void Run_TokenCancelledBetweenItems_RunsNoFurtherItem()
    {
        using var cts = new CancellationTokenSource();
        var work = new Work(cancelAfter: 2, cts: cts);
        var sink = new RecordingSink();

        var ran = ItemLoop.Run<int, int, Work, RecordingSink>([1, 2, 3, 4], work, ref sink, cts.Token);

        Assert.Equal(2, ran);
        Assert.Equal(["ok 0=10", "ok 1=20"], sink.Log);
    }

    [Fact]
    public async Task RunAsync_AfterAFailure_GoesOn_ThenEndsTheBatchOnce()
    {
        var sink = new RecordingSink();

        await ItemLoop.RunAsync<int, int, Work, RecordingSink>(new[] { 1, 2, 3 }, new Work(fail: [2]), sink, CancellationToken.None);

        Assert.Equal(["ok 0=10", "failed 1: item 2", "ok 2=30", "end ran=3"], sink.Log);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileAnItemThrowsCancellation_StopsThere_ItemNotRun()
    {
        using var cts = new CancellationTokenSource();
        var sink = new RecordingSink();

        await ItemLoop.RunAsync<int, int, Work, RecordingSink>(new[] { 1, 2, 3 }, new Work(cancelAt: 2, cts: cts), sink, cts.Token);

        Assert.Equal(["ok 0=10", "end ran=1"], sink.Log);
    }

    [Fact]
    public async Task RunAsync_CancellationExceptionWhileTheRunGoesOn_IsTheItemsFailure()
    {
        var sink = new RecordingSink();

        await ItemLoop.RunAsync<int, int, Work, RecordingSink>(new[] { 1, 2 }, new Work(throwCancelAt: 1), sink, CancellationToken.None);

        Assert.Equal(["failed 0: OperationCanceledException", "ok 1=20", "end ran=2"], sink.Log);
    }

    // Times ten; fails the items in `fail`; at `cancelAt` cancels the run and throws its cancellation; at
    // `throwCancelAt` throws a cancellation the run did not ask for; after `cancelAfter` items cancels the run.
    private readonly struct Work(int[]? fail = null, int cancelAt = -1, int throwCancelAt = -1, int cancelAfter = -1, CancellationTokenSource? cts = null)
        : IItemWork<int, int>, IAsyncItemWork<int, int>
    {
        public int Invoke(int item)
        {
            if (fail?.Contains(item) == true)
            {
                throw new InvalidOperationException($"item {item}");
            }

            if (item == cancelAt)
            {
                cts!.Cancel();
                cts.Token.ThrowIfCancellationRequested();
            }

            if (item == throwCancelAt)
            {
                throw new OperationCanceledException();
            }

            if (item == cancelAfter)
            {
                cts!.Cancel();
            }

            return item * 10;
        }

        public async ValueTask<int> InvokeAsync(int item, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return Invoke(item);
        }
    }

    private struct RecordingSink() : IAsyncItemSink<int>
    {
        public List<string> Log { get; } = [];

        public readonly void Succeeded(int offset, int value) => Log.Add($"ok {offset}={value}");

        public readonly void Failed(int offset, Exception error) =>
            Log.Add($"failed {offset}: {(error is OperationCanceledException ? nameof(OperationCanceledException) : error.Message)}");

        public readonly bool Continue(int done) => true;

        public readonly ValueTask EndAsync(int ran)
        {
            Log.Add($"end ran={ran}");
            return ValueTask.CompletedTask;
        }

        public readonly ItemRace<int>? Race() => null;
    }
}
