using Brigade.Engines;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review29a;

/// <summary>
/// Work blocked in <c>task.Wait()</c> on the run's token, when the run is cancelled, throws an
/// <see cref="AggregateException"/> of a cancellation: the item did not finish, as with a bare
/// <see cref="OperationCanceledException"/>, so it counts as not run, never as failed (review 29a, finding 8).
/// </summary>
public sealed class BlockedWaitCancellationTests
{
    public static TheoryData<string> Engines => [.. EngineNames.All];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task WaitOnTheRunsToken_Cancelled_IsNotRun_NotFailed(string engine)
    {
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Runner.ForEachAsync(
            Enumerable.Range(0, 4),
            (i, ct) =>
            {
                started.TrySetResult();
                Task.Delay(Timeout.Infinite, ct).Wait(CancellationToken.None); // sync-over-async on the run's token
                return ValueTask.CompletedTask;
            },
            new RunOptions { Engine = EngineNames.Create(engine), BatchSize = 1, MaxDegreeOfParallelism = 2 },
            cts.Token);

        await started.Task.Bounded();
        await cts.CancelAsync();
        var e = await Assert.ThrowsAsync<RunCanceledException>(() => run).Bounded();

        Assert.Equal(0, e.Report.Failed);
        Assert.Equal(4, e.Report.NotRun + e.Report.Succeeded);
    }

    [Fact]
    public void IsCancellation_OnlyForCancellations()
    {
        Assert.True(ItemLoop.IsCancellation(new OperationCanceledException()));
        Assert.True(ItemLoop.IsCancellation(new AggregateException(new TaskCanceledException())));
        Assert.True(ItemLoop.IsCancellation(new AggregateException(new AggregateException(new OperationCanceledException()), new TaskCanceledException())));
        Assert.False(ItemLoop.IsCancellation(new AggregateException()));
        Assert.False(ItemLoop.IsCancellation(new AggregateException(new TaskCanceledException(), new IOException())));
        Assert.False(ItemLoop.IsCancellation(new IOException()));
    }
}
