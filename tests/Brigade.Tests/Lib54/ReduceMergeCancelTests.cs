using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Lib54;

/// <summary>
/// A map-reduce cancelled while its partials are merged (lib54): the final merge ran every remaining combine (each as
/// slow as the user's combiner, 1.5 s for one adding 100 MB arrays) before the run threw <see cref="RunCanceledException"/>
/// anyway. It now stops between two combines.
/// </summary>
public sealed class ReduceMergeCancelTests
{
    [Fact]
    public async Task CancelledDuringTheFinalMerge_StopsBeforeTheNextCombine_AndThrowsRunCanceled()
    {
        using var cts = new CancellationTokenSource();
        var combines = 0;

        // One item per batch: no combine runs inside a batch, so every combine is the final merge's (five partials, four combines).
        var run = Runner.MapReduceAsync(Enumerable.Range(0, 5), i => (long)i, (a, b) =>
        {
            if (Interlocked.Increment(ref combines) == 1)
            {
                cts.Cancel();
            }

            return a + b;
        }, new RunOptions { Engine = Engine.Sequential, BatchSize = 1 }, cts.Token);

        var error = await Assert.ThrowsAsync<RunCanceledException>(() => run.Bounded());
        Assert.True(error.Report.Cancelled);
        Assert.Equal(1, Volatile.Read(ref combines));
    }
}
