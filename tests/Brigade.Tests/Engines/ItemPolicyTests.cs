using System.Collections.Concurrent;
using Brigade.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Polly.Timeout;

namespace Brigade.Tests.Engines;

/// <summary>RunOptions.ItemRetry and ItemTimeout on the in-process engines (Polly underneath).</summary>
public sealed class ItemPolicyTests
{
    public static TheoryData<string> InProcessEngines => ["sequential", "threadpool", "threads", "async"];

    private static Engine EngineNamed(string name) => name switch
    {
        "sequential" => Engine.Sequential,
        "threadpool" => Engine.ThreadPool,
        "threads" => Engine.Threads,
        _ => Engine.Async,
    };

    [Theory]
    [MemberData(nameof(InProcessEngines))]
    public async Task Retry_ItemFailsTwiceThenSucceeds_ValueDelivered_NoFailure(string engine)
    {
        var tries = new ConcurrentDictionary<int, int>();
        var options = new RunOptions { Engine = EngineNamed(engine), ItemRetry = new ItemRetryOptions { Delay = TimeSpan.Zero } };

        var result = await Runner.MapAsync(Enumerable.Range(0, 20), x => tries.AddOrUpdate(x, 1, (_, n) => n + 1) <= 2 && x == 7 ? throw new InvalidOperationException("flaky") : x * 2, options).Bounded();

        Assert.Equal(Enumerable.Range(0, 20).Select(x => x * 2), result.Values);
        Assert.Equal(0, result.Report.Failed);
        Assert.Equal(3, tries[7]);
    }

    [Theory]
    [MemberData(nameof(InProcessEngines))]
    public async Task Retry_AsyncWork_ItemAlwaysFails_ReportedOnceWithItsAttempts(string engine)
    {
        var options = new RunOptions { Engine = EngineNamed(engine), ItemRetry = new ItemRetryOptions { MaxRetries = 2, Delay = TimeSpan.Zero } };

        var report = await Runner.ForEachAsync(Enumerable.Range(0, 10), async (x, ct) =>
        {
            await Task.Yield();
            if (x == 4)
            {
                throw new InvalidOperationException("always");
            }
        }, options).Bounded();

        var failure = Assert.Single(report.Failures);
        Assert.Equal(4, failure.Index);
        Assert.Equal(3, failure.Attempts);
        Assert.Equal(9, report.Succeeded);
    }

    [Fact]
    public async Task Retry_ShouldRetrySaysNo_NotRetried_OneAttempt()
    {
        var calls = 0;
        var options = new RunOptions
        {
            Engine = Engine.Sequential,
            ItemRetry = new ItemRetryOptions { Delay = TimeSpan.Zero, ShouldRetry = e => e is not ArgumentException },
        };

        var report = await Runner.ForEachAsync([1], _ =>
        {
            calls++;
            throw new ArgumentException("bad input");
        }, options).Bounded();

        Assert.Equal(1, calls);
        Assert.Equal(1, Assert.Single(report.Failures).Attempts);
    }

    [Fact]
    public async Task Retry_WithADelay_OnTaskWorkers_WaitsThenSucceeds()
    {
        var tries = 0;
        var options = new RunOptions
        {
            Engine = Engine.ThreadPool,
            ItemRetry = new ItemRetryOptions { Delay = TimeSpan.FromMilliseconds(10), Backoff = RetryBackoff.Constant, UseJitter = false },
        };

        var result = await Runner.MapAsync([5], x => Interlocked.Increment(ref tries) == 1 ? throw new IOException("transient") : x, options).Bounded();

        Assert.Equal([5], result.Values);
        Assert.Equal(2, tries);
    }

    [Fact]
    public async Task StopOnFirstFailure_RetriedItemThatSucceeds_DoesNotStopTheRun()
    {
        var tries = new ConcurrentDictionary<int, int>();
        var options = new RunOptions
        {
            Engine = Engine.Sequential,
            FailureMode = FailureMode.StopOnFirstFailure,
            ItemRetry = new ItemRetryOptions { Delay = TimeSpan.Zero },
        };

        var result = await Runner.MapAsync(Enumerable.Range(0, 10), x => tries.AddOrUpdate(x, 1, (_, n) => n + 1) == 1 && x == 2 ? throw new IOException("once") : x, options).Bounded();

        Assert.False(result.Report.StoppedOnFailure);
        Assert.Equal(10, result.Report.Succeeded);
    }

    [Fact]
    public async Task Timeout_SyncAttemptEndsLate_ResultDiscarded_FailsWithTimeoutRejected()
    {
        var time = new FakeTimeProvider();
        var options = new RunOptions { Engine = Engine.Sequential, TimeProvider = time, ItemTimeout = TimeSpan.FromSeconds(1) };

        var report = await Runner.ForEachAsync([1, 2], x =>
        {
            if (x == 2)
            {
                time.Advance(TimeSpan.FromSeconds(2));
            }
        }, options).Bounded();

        var failure = Assert.Single(report.Failures);
        Assert.Equal(1, failure.Index);
        Assert.IsType<TimeoutRejectedException>(failure.Exception);
    }

    [Fact]
    public async Task Timeout_AsyncWorkWatchingItsToken_IsCancelledAtTheTimeout_AndRetried()
    {
        var attempts = 0;
        var options = new RunOptions
        {
            Engine = Engine.Async,
            ItemTimeout = TimeSpan.FromMilliseconds(50),
            ItemRetry = new ItemRetryOptions { MaxRetries = 1, Delay = TimeSpan.Zero },
        };

        var report = await Runner.ForEachAsync([1], async (_, ct) =>
        {
            Interlocked.Increment(ref attempts);
            await Task.Delay(Timeout.Infinite, ct);
        }, options).Bounded();

        var failure = Assert.Single(report.Failures);
        Assert.IsType<TimeoutRejectedException>(failure.Exception);
        Assert.Equal(2, failure.Attempts);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task RunCancelled_ItemCancelledByIt_NotRetried_CountsAsNotRun()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        var options = new RunOptions { Engine = Engine.Sequential, ItemRetry = new ItemRetryOptions { Delay = TimeSpan.Zero } };

        var error = await Assert.ThrowsAsync<RunCanceledException>(() => Runner.ForEachAsync([1, 2, 3], async (_, ct) =>
        {
            Interlocked.Increment(ref calls);
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }, options, cts.Token)).Bounded();

        Assert.Equal(1, calls);
        Assert.Empty(error.Report.Failures);
        Assert.Equal(3, error.Report.NotRun);
    }

    [Fact]
    public async Task AnEngineThatRunsItemsElsewhere_RejectsTheOptions_Plainly()
    {
        var options = new RunOptions { Engine = new ElsewhereEngine(), ItemRetry = new ItemRetryOptions() };

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => Runner.MapAsync([1], x => x, options)).Bounded();

        Assert.Contains("'elsewhere' engine does not support them", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_OutOfRange_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ItemRetryOptions { MaxRetries = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ItemRetryOptions { MaxRetries = 101 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ItemRetryOptions { Delay = TimeSpan.FromMilliseconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ItemRetryOptions { MaxDelay = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunOptions { ItemTimeout = TimeSpan.Zero });
    }

    private sealed class ElsewhereEngine : Engine
    {
        public override string Name => "elsewhere";

        public override EngineCapabilities Capabilities => EngineCapabilities.CrashContainment;

        public override int GetDefaultDegreeOfParallelism() => 1;

        protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) => Task.CompletedTask;
    }
}
