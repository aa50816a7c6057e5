namespace Brigade.Tests;

public sealed class RobustnessTests
{
    private sealed class ThrowingProgress : IProgress<RunProgress>
    {
        public int Calls;

        public void Report(RunProgress value)
        {
            Interlocked.Increment(ref Calls);
            throw new InvalidOperationException("display broke");
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task MapAsync_ProgressCallbackThrows_RunStillReturnsEveryResult()
    {
        var progress = new ThrowingProgress();

        var result = await Runner.MapAsync(Enumerable.Range(0, 50).ToArray(), x => x + 1, new RunOptions { Progress = progress });

        Assert.Equal(Enumerable.Range(1, 50), result.Values);
        Assert.True(progress.Calls >= 1);
    }

    [Fact(Timeout = 30_000)]
    public async Task MapAsync_Cancelled_ThrowsRunCanceledException_WithTheReportOfWhatRan()
    {
        using var cts = new CancellationTokenSource();
        var ran = 0;

        var e = await Assert.ThrowsAsync<RunCanceledException>(() => Runner.MapAsync(Enumerable.Range(0, 1000).ToArray(), x =>
        {
            if (Interlocked.Increment(ref ran) == 10)
            {
                cts.Cancel();
            }

            return x;
        }, new RunOptions { Engine = Engine.Sequential, BatchSize = 1 }, cts.Token));

        Assert.True(e.Report.Cancelled);
        Assert.Equal(10, e.Report.Succeeded);
        Assert.Equal(990, e.Report.NotRun);
        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact(Timeout = 30_000)]
    public async Task StopOnFirstFailure_BatchStoppedBeforeItsFirstItem_LeavesNoEmptyTimelineEvent()
    {
        var report = await Runner.ForEachAsync(Enumerable.Range(0, 2000).ToArray(), x =>
        {
            if (x == 3)
            {
                throw new InvalidOperationException();
            }
        }, new RunOptions { Engine = Engine.ThreadPool, FailureMode = FailureMode.StopOnFirstFailure, BatchSize = 1, MaxDegreeOfParallelism = 4 });

        Assert.All(report.Timeline, e => Assert.True(e.Count > 0));
    }
}
