using Brigade.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Review48;

/// <summary>
/// lib48: a progress callback that threw was swallowed with only an Activity event (a caller without a listener never
/// knew its display was broken), and one that blocked held the run's end, and its results, for good. The first exception
/// is now on <see cref="RunReport.ProgressError"/> and in the summary; the run's end waits 2 s at most for the callback.
/// </summary>
public sealed class ProgressFailureTests
{
    [Fact(Timeout = 60_000)]
    public async Task ThrowingCallback_ResultsWhole_FirstExceptionOnTheReportAndInItsSummary()
    {
        var progress = new ThrowingProgress();
        // A fake clock that never moves: the only call is the final one.
        var options = new RunOptions { Engine = Engine.ThreadPool, TimeProvider = new FakeTimeProvider(), Progress = progress };

        var result = await Runner.MapAsync(Enumerable.Range(0, 50).ToArray(), x => x + 1, options).Bounded();

        Assert.Equal(Enumerable.Range(1, 50), result.Values);
        Assert.True(result.Report.IsSuccess);
        var error = Assert.IsType<InvalidOperationException>(result.Report.ProgressError);
        Assert.Equal("display broke 1", error.Message);
        Assert.Contains("progress callback threw InvalidOperationException: display broke 1", result.Report.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ThrowingCallback_SeveralCalls_TheFirstIsKeptAndTheCountSaid()
    {
        var progress = new ThrowingProgress();
        var options = new RunOptions { Engine = Engine.Sequential, BatchSize = 1, Progress = progress };

        var result = await Runner.MapAsync([0, 1], x =>
        {
            if (x == 0)
            {
                // Held until the timer's calls have thrown twice; the final call throws a third time.
                progress.TwoCalls.Task.WaitBounded();
            }

            return x;
        }, options).Bounded();

        Assert.Equal([0, 1], result.Values);
        Assert.Equal("display broke 1", result.Report.ProgressError?.Message);
        Assert.True(progress.Calls >= 3);
        Assert.Contains($"progress callback threw InvalidOperationException ({progress.Calls} calls, the first): display broke 1", result.Report.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task BlockingCallback_RunReturnsItsResultsAndSaysTheCallbackWasNotWaitedFor()
    {
        using var release = new ManualResetEventSlim();
        var progress = new BlockingProgress(release);
        var options = new RunOptions { Engine = Engine.ThreadPool, TimeProvider = new FakeTimeProvider(), Progress = progress };
        try
        {
            // Before: the call never returned (this wait timed out).
            var result = await Runner.MapAsync(Enumerable.Range(0, 10).ToArray(), x => x * 2, options).Bounded();

            Assert.Equal(Enumerable.Range(0, 10).Select(x => x * 2), result.Values);
            Assert.True(progress.Entered.IsSet);
            var error = Assert.IsType<TimeoutException>(result.Report.ProgressError);
            Assert.Contains("still running 2 s after the run's end", error.Message, StringComparison.Ordinal);
            Assert.Contains("progress callback still running at the run's end (not waited for)", result.Report.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
        }
    }

    private sealed class ThrowingProgress : IProgress<RunProgress>
    {
        private int _calls;

        public TaskCompletionSource TwoCalls { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref _calls);

        public void Report(RunProgress value)
        {
            var n = Interlocked.Increment(ref _calls);
            if (n >= 2)
            {
                TwoCalls.TrySetResult();
            }

            throw new InvalidOperationException($"display broke {n}");
        }
    }

    private sealed class BlockingProgress(ManualResetEventSlim release) : IProgress<RunProgress>
    {
        public ManualResetEventSlim Entered { get; } = new();

        public void Report(RunProgress value)
        {
            Entered.Set();
            release.Wait();
        }
    }
}
