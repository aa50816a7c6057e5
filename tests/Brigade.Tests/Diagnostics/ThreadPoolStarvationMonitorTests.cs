using Brigade.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Diagnostics;

public sealed class ThreadPoolStarvationMonitorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();
    private readonly PitfallDiagnostics _diagnostics;
    private readonly Queue<(long Queue, long Completed, int Threads, double CpuCores, double? PoolCores)> _script = new();
    private (long Queue, long Completed, int Threads, TimeSpan Cpu, TimeSpan Pool) _last;
    private bool _poolMeasured;

    public ThreadPoolStarvationMonitorTests() => _diagnostics = new PitfallDiagnostics(_time);

    [Theory]
    [InlineData(50, 1.0, true)]   // one spinner beside fifty blocked threads on 2 cores (review 29e): blocked
    [InlineData(50, 1.9, false)]  // both cores' worth of pool threads computing: saturated
    [InlineData(3, 1.0, false)]   // a few threads, one core's worth busy: not judged blocked (half of min(threads, cores))
    [InlineData(3, 0.9, true)]
    public void Blocked_CountsTheCoresThePoolsThreadsWanted(int threads, double busyCores, bool blocked)
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var from = new ThreadPoolSample(t0, 100, 0, threads, TimeSpan.Zero, TimeSpan.Zero);
        var to = new ThreadPoolSample(t0.AddSeconds(1), 100, 0, threads, TimeSpan.Zero, TimeSpan.FromSeconds(busyCores));
        Assert.Equal(blocked, ThreadPoolStarvationMonitor.Blocked(from, to, processorCount: 2));
    }

    [Fact]
    public void QueuedWorkNotPickedUp_PastTheThreshold_IsReportedOnce_WithTheNumbers()
    {
        using var monitor = Start(threshold: TimeSpan.FromMilliseconds(500));

        // Blocked pool: the queue grows, almost nothing completes, a thread is injected now and then, CPU idle.
        Feed(queue: 10, completed: 1000, threads: 4);
        for (var i = 1; i <= 8; i++)
        {
            Feed(queue: 10 + (i * 5), completed: 1000 + i, threads: 4 + (i / 4));
        }

        var report = Assert.IsType<ThreadPoolStarvationReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal(PitfallCodes.ThreadPoolStarvation, report.Code);
        Assert.StartsWith("Thread-pool starvation detected:", report.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMilliseconds(500), report.Duration);
        Assert.Equal(35, report.QueueLength);
        Assert.Equal(5, report.CompletedDuring);
        Assert.Equal(4, report.ThreadsAtStart);
        Assert.Equal(5, report.ThreadsNow);
        Assert.True(report.LikelyBlocking);
        Assert.Contains("sync-over-async", report.Message, StringComparison.Ordinal);
        Assert.Contains("35 items queued", report.Message, StringComparison.Ordinal);
        Assert.True(monitor.IsStarved);
    }

    [Fact]
    public void APoolThatDrainsItsQueue_IsHealthy_HoweverLongTheQueue()
    {
        using var monitor = Start(threshold: TimeSpan.FromMilliseconds(300));
        Feed(queue: 1000, completed: 0, threads: 2);
        for (var i = 1; i <= 20; i++)
        {
            // Each interval completes more than was waiting at the previous sample.
            Feed(queue: 1000, completed: i * 2000, threads: 2, cpuCores: 2);
        }

        Assert.Empty(_diagnostics.Reports);
        Assert.False(monitor.IsStarved);
    }

    [Fact]
    public void AShortStall_BelowTheThreshold_IsNotReported_AndRecoveryEndsAnEpisode()
    {
        using var monitor = Start(threshold: TimeSpan.FromMilliseconds(300));
        Feed(queue: 5, completed: 0, threads: 2);
        Feed(queue: 6, completed: 0, threads: 2);
        Feed(queue: 7, completed: 0, threads: 2);
        Feed(queue: 0, completed: 20, threads: 3);   // drained: the stall lasted 200 ms
        Feed(queue: 5, completed: 20, threads: 3);
        Feed(queue: 6, completed: 20, threads: 3);
        Assert.Empty(_diagnostics.Reports);

        Feed(queue: 7, completed: 20, threads: 3);
        Feed(queue: 8, completed: 20, threads: 3);   // 300 ms stalled since the last healthy sample
        Assert.Single(_diagnostics.Reports);
        Assert.True(monitor.IsStarved);

        Feed(queue: 0, completed: 60, threads: 4);
        Assert.False(monitor.IsStarved);
        for (var i = 0; i < 5; i++)
        {
            Feed(queue: 9, completed: 60, threads: 4);
        }

        Assert.Equal(2, _diagnostics.Reports.Count);   // a new episode, reported again
    }

    [Fact]
    public void BusyThreads_AreSaturation_NotStarvation_AndAreNotReported()
    {
        // CPU-bound items longer than an interval: a backlog the pool serves slowly, with every core computing.
        using var monitor = Start(threshold: TimeSpan.FromMilliseconds(300));
        Feed(queue: 50, completed: 0, threads: 2);
        for (var i = 1; i <= 10; i++)
        {
            Feed(queue: 50, completed: i, threads: 2, cpuCores: 2);
        }

        Assert.Empty(_diagnostics.Reports);
        Assert.False(monitor.IsStarved);
    }

    [Fact]
    public void BusyThreads_OnALoadedMachine_AreNotStarvation_ThoughTheProcessGetsLittleCpu()
    {
        // Load 14 on 2 cores: the workers compute but get a core a fifth of the time, waiting in the run queue the rest.
        using var monitor = Start(threshold: TimeSpan.FromMilliseconds(300), poolMeasured: true);
        Feed(queue: 60, completed: 0, threads: 3, cpuCores: 0.4, poolCores: 3);
        for (var i = 1; i <= 10; i++)
        {
            Feed(queue: 60 - i, completed: i, threads: 3, cpuCores: 0.4, poolCores: 3);
        }

        Assert.Empty(_diagnostics.Reports);
        Assert.False(monitor.IsStarved);
    }

    [Fact]
    public void BlockedThreads_AreStarvation_WhateverTheLoad_AndTheReportSaysHowBusyThePoolWas()
    {
        using var monitor = Start(threshold: TimeSpan.FromMilliseconds(300), poolMeasured: true);
        Feed(queue: 40, completed: 0, threads: 4, poolCores: 0.1);
        for (var i = 1; i <= 4; i++)
        {
            Feed(queue: 40 + i, completed: i, threads: 4, poolCores: 0.1);
        }

        var report = Assert.IsType<ThreadPoolStarvationReport>(Assert.Single(_diagnostics.Reports));
        Assert.True(report.LikelyBlocking);
        Assert.Contains("pool threads running or ready to run: 0.1 on average", report.Message, StringComparison.Ordinal);
        Assert.Contains("sync-over-async", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReportedEpisode_ThatComputesForAWhile_IsNotReportedAgain()
    {
        using var monitor = Start(threshold: TimeSpan.FromMilliseconds(200), poolMeasured: true);
        Feed(queue: 10, completed: 0, threads: 2, poolCores: 0);
        Feed(queue: 11, completed: 0, threads: 2, poolCores: 0);
        Feed(queue: 12, completed: 0, threads: 2, poolCores: 0);
        Assert.Single(_diagnostics.Reports);
        Feed(queue: 12, completed: 1, threads: 2, poolCores: 2);   // a new thread runs an item for a while
        Feed(queue: 13, completed: 1, threads: 2, poolCores: 0);
        Feed(queue: 14, completed: 1, threads: 2, poolCores: 0);
        Feed(queue: 15, completed: 1, threads: 2, poolCores: 0);
        Assert.Single(_diagnostics.Reports);
        Assert.True(monitor.IsStarved);
    }

    [Fact]
    public async Task PoolThreadActivity_CountsTheTimeAWorkerComputes()
    {
        using var activity = PoolThreadActivity.TryCreate();
        if (activity is null)
        {
            Assert.False(OperatingSystem.IsLinux() && Brigade.Internal.ThreadSchedStat.IsSupported);
            return;
        }

        var before = activity.Read();
        await Task.Run(() =>
        {
            // 50 ms of this thread's own CPU time, however loaded the machine.
            var start = Brigade.Internal.ThreadCpuTime.NowTicks();
            while (Brigade.Internal.ThreadCpuTime.NowTicks() - start < TimeSpan.FromMilliseconds(50).Ticks)
            {
            }
        });
        var after = activity.Read();
        Assert.True(before >= 0);
        Assert.True(after - before >= TimeSpan.FromMilliseconds(50).Ticks, $"{after - before} ticks");
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolMonitorOptions { Interval = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolMonitorOptions { Threshold = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolMonitorOptions { MaxSamples = 1 });
    }

    [Fact]
    public void OnTheSystemClock_ItSamplesTheRealPool_FromItsOwnThread()
    {
        using var monitor = ThreadPoolStarvationMonitor.Start(new ThreadPoolMonitorOptions { Interval = TimeSpan.FromMilliseconds(10), Diagnostics = new PitfallDiagnostics() });
        Assert.True(SpinWait.SpinUntil(() => monitor.Samples.Count >= 3, TimeSpan.FromSeconds(30)));
        var samples = monitor.Samples;
        Assert.All(samples, s => Assert.True(s.ThreadCount >= 0 && s.CompletedWorkItems >= 0));
        Assert.True(samples[^1].Time >= samples[0].Time);
    }

    private ThreadPoolStarvationMonitor Start(TimeSpan threshold, bool poolMeasured = false)
    {
        _poolMeasured = poolMeasured;
        var options = new ThreadPoolMonitorOptions { Interval = Interval, Threshold = threshold, Diagnostics = _diagnostics };
        var monitor = new ThreadPoolStarvationMonitor(options, Sample, processorCount: 2);
        _script.Enqueue((0, 0, 1, 0, null));   // the first sample, taken when it starts
        monitor.Run();
        return monitor;
    }

    /// <summary>Scripts the next sample and lets the fake clock reach it; poolCores is how many cores' worth of time the
    /// pool's workers ran or waited in the run queue.</summary>
    private void Feed(long queue, long completed, int threads, double cpuCores = 0.05, double? poolCores = null)
    {
        _script.Enqueue((queue, completed, threads, cpuCores, poolCores));
        _time.Advance(Interval);
    }

    private ThreadPoolSample Sample()
    {
        var (queue, completed, threads, cpuCores, poolCores) = _script.Dequeue();
        _last = (queue, completed, threads, _last.Cpu + (Interval * cpuCores), _last.Pool + (Interval * (poolCores ?? 0)));
        return new ThreadPoolSample(_time.GetUtcNow(), queue, completed, threads, _last.Cpu, _poolMeasured ? _last.Pool : null);
    }
}
