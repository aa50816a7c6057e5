using Brigade.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Review61;

/// <summary>
/// Progress never slows the work (lib61): a slow callback ran on the thread pool the engine's items run on (a
/// <see cref="Progress{T}"/> handler of 200 ms, posted every 100 ms tick, piled up on the pool and made a 0.5 s run take
/// 2.75 s). A plain callback now runs on a thread of its own; a <see cref="Progress{T}"/> is posted to again only once its
/// handler has run (heard through its <see cref="Progress{T}.ProgressChanged"/> event); meanwhile the latest snapshot
/// wins, and the final one is always delivered (its handler run) before the call returns.
/// </summary>
public sealed class ProgressOffThePoolTests
{
    [Fact]
    public async Task ProgressOfT_HandlerBlocked_IsNotPostedAgainUntilItReturns_AndTheFinalReportArrivesBeforeReturn()
    {
        var clock = new FakeTimeProvider();
        var gate = new ManualResetEventSlim();
        var entered = new ManualResetEventSlim();
        var context = new CountingContext();
        var calls = 0;
        RunProgress? last = null;
        Progress<RunProgress> progress;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            progress = new Progress<RunProgress>(value =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    entered.Set();
                    gate.Wait(TestTimeouts.Generous);
                }

                last = value;
            });
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        var options = new RunOptions { Engine = Engine.Sequential, BatchSize = 1, TimeProvider = clock, Progress = progress };
        var run = Runner.MapAsync(Enumerable.Range(0, 10).ToArray(), x =>
        {
            if (x == 5)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
                try
                {
                    Assert.True(entered.Wait(TestTimeouts.Generous), "the first progress call never ran");

                    // Five more ticks while the handler is blocked: each was one more handler posted to the pool before lib61.
                    for (var i = 0; i < 5; i++)
                    {
                        clock.Advance(TimeSpan.FromMilliseconds(100));
                    }

                    Assert.Equal(1, context.Posts);
                }
                finally
                {
                    gate.Set();
                }
            }

            return x;
        }, options);

        var result = await run.Bounded();

        Assert.True(result.IsSuccess);
        Assert.Equal(10, last?.Completed);
        Assert.InRange(context.Posts, 2, 3);
        Assert.Null(result.Report.ProgressError);
    }

    [Fact]
    public async Task PlainCallback_RunsOffTheThreadPool_OneCallAtATime()
    {
        var progress = new ThreadRecordingProgress();
        var clock = new FakeTimeProvider();
        var options = new RunOptions { Engine = Engine.ThreadPool, BatchSize = 1, TimeProvider = clock, Progress = progress };

        await Runner.ForEachAsync(Enumerable.Range(0, 4).ToArray(), x =>
        {
            if (x == 1)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
            }
        }, options).Bounded();

        Assert.True(progress.Calls >= 1);
        Assert.Equal(0, progress.OnPool);
        Assert.Equal(4, progress.Last?.Completed);
    }

    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.UnsafeQueueUserWorkItem(_ => d(state), null);
        }
    }

    private sealed class ThreadRecordingProgress : IProgress<RunProgress>
    {
        private int _calls;
        private int _onPool;

        public int Calls => Volatile.Read(ref _calls);

        public int OnPool => Volatile.Read(ref _onPool);

        public RunProgress? Last { get; private set; }

        public void Report(RunProgress value)
        {
            Interlocked.Increment(ref _calls);
            if (Thread.CurrentThread.IsThreadPoolThread)
            {
                Interlocked.Increment(ref _onPool);
            }

            Last = value;
        }
    }
}
