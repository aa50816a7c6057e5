using System.Diagnostics;
using Brigade.Engines;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review64Lib;

/// <summary>
/// lib64: a cancelled run over an <see cref="IAsyncEnumerable{T}"/> whose <c>MoveNextAsync</c> ignores the token waits
/// <see cref="ItemPolicy.AbandonGrace"/> for that step before it ends (lib63), but the report's wall time was taken before
/// that wait: 0.88 s in the report for a call of 2.07 s. The wall time now includes it, as it does for an
/// <see cref="IEnumerable{T}"/> whose blocked <c>MoveNext</c> is waited for inside the run.
/// </summary>
public sealed class AsyncInputGraceWallTests
{
    [Fact(Timeout = 90_000)]
    public async Task CancelledRun_AsyncInputIgnoresTheToken_WallTimeIncludesTheGrace()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var atGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async IAsyncEnumerable<int> Input()
        {
            yield return 1;
            atGate.TrySetResult();
            await gate.Task; // ignores the run's token
            yield return 2;
        }

        using var cts = new CancellationTokenSource();
        var call = Stopwatch.StartNew();
        var run = Runner.MapAsync(Input(), x => x, new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1 }, cts.Token);
        try
        {
            await atGate.Task.Bounded();
            var cancelledAt = call.Elapsed;
            await cts.CancelAsync();
            var e = await Assert.ThrowsAsync<RunCanceledException>(() => run.Bounded());
            var callTime = call.Elapsed;

            // The step was left pending, so the run waited the whole grace after the cancel before it ended: the report's
            // wall time covers it (less a margin for a timer that fires a tick early), and never exceeds the call.
            Assert.Contains("input left pending in MoveNextAsync", e.Report.ToString(), StringComparison.Ordinal);
            Assert.True(
                e.Report.WallTime >= ItemPolicy.AbandonGrace - TimeSpan.FromMilliseconds(50),
                $"report wall {e.Report.WallTime.TotalSeconds:0.000} s, call {callTime.TotalSeconds:0.000} s (cancelled at {cancelledAt.TotalSeconds:0.000} s): the grace of {ItemPolicy.AbandonGrace.TotalSeconds:0} s is missing");
            Assert.True(e.Report.WallTime <= callTime, $"report wall {e.Report.WallTime.TotalSeconds:0.000} s > call {callTime.TotalSeconds:0.000} s");
        }
        finally
        {
            gate.TrySetResult();
        }
    }
}
