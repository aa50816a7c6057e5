using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review63Lib;

/// <summary>
/// lib63: a cancelled run over an <see cref="IAsyncEnumerable{T}"/> whose <c>MoveNextAsync</c> ignores the token ended (as
/// it should) without saying the step was left pending, where an <see cref="IEnumerable{T}"/> blocked in <c>MoveNext</c>
/// was reported (lib48). Now <see cref="RunCanceledException"/> and the report say it, and the enumerator is disposed once
/// the step completes.
/// </summary>
public sealed class AsyncInputLeftPendingTests
{
    [Fact(Timeout = 90_000)]
    public async Task CancelledRun_AsyncInputIgnoresTheToken_SaysTheStepWasLeftPending()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var atGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async IAsyncEnumerable<int> Input()
        {
            try
            {
                yield return 1;
                yield return 2;
                atGate.TrySetResult();
                await gate.Task; // ignores the run's token
                yield return 3;
            }
            finally
            {
                disposed.TrySetResult();
            }
        }

        using var cts = new CancellationTokenSource();
        var run = Runner.MapAsync(Input(), x => x, new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1 }, cts.Token);

        try
        {
            // Cancelled once the step that ignores the token is pending (a cancel before it started leaves nothing behind).
            await atGate.Task.Bounded();
            await cts.CancelAsync();
            var e = await Assert.ThrowsAsync<RunCanceledException>(() => run.Bounded());
            Assert.Contains("left waiting in its enumerator's MoveNextAsync", e.Message, StringComparison.Ordinal);
            Assert.Contains("input left pending in MoveNextAsync", e.Report.ToString(), StringComparison.Ordinal);
            Assert.False(disposed.Task.IsCompleted, "the enumerator was disposed while its MoveNextAsync was still pending");
        }
        finally
        {
            gate.TrySetResult();
        }

        await disposed.Task.Bounded();
    }

    [Fact(Timeout = 60_000)]
    public async Task CancelledRun_AsyncInputHonoursTheToken_SaysNothingLeftBehind()
    {
        async IAsyncEnumerable<int> Input([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token = default)
        {
            yield return 1;
            yield return 2;
            await Task.Delay(Timeout.Infinite, token);
            yield return 3;
        }

        using var cts = new CancellationTokenSource();
        var done = 0;
        var e = await Assert.ThrowsAsync<RunCanceledException>(() => Runner.MapAsync(Input(), x =>
        {
            if (Interlocked.Increment(ref done) == 2)
            {
                cts.Cancel();
            }

            return x;
        }, new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1 }, cts.Token).Bounded());

        Assert.DoesNotContain("MoveNextAsync", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("left", e.Report.ToString(), StringComparison.Ordinal);
    }
}
