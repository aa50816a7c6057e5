using Brigade.Diagnostics;

namespace Brigade.Tests.Pitfalls;

/// <summary>Review 30, findings 4 and 9: the thread-pool monitor disposed from its own report handler, and the blocked
/// rule on one core.</summary>
public sealed class ThreadPoolMonitorReview30Tests
{
    [Theory]
    [InlineData(50, 1.0, true)]   // one computing thread beside fifty blocked ones on one core: blocked
    [InlineData(50, 0.4, true)]
    [InlineData(50, 1.9, false)]  // two threads' worth computing: saturated
    [InlineData(2, 0.9, false)]   // few threads: only the half-core bar
    [InlineData(2, 0.4, true)]
    public void Blocked_OnOneCore_OneComputingThreadDoesNotHideTheBlockedOnes(int threads, double busyCores, bool blocked)
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var from = new ThreadPoolSample(t0, 100, 0, threads, TimeSpan.Zero, TimeSpan.Zero);
        var to = new ThreadPoolSample(t0.AddSeconds(1), 100, 0, threads, TimeSpan.Zero, TimeSpan.FromSeconds(busyCores));
        Assert.Equal(blocked, ThreadPoolStarvationMonitor.Blocked(from, to, processorCount: 1));
    }

    [Theory]
    [InlineData(50, 1.0, true)]   // the two-core bars are unchanged (review 29e)
    [InlineData(50, 1.6, false)]
    [InlineData(3, 1.0, false)]
    public void Blocked_OnTwoCores_IsUnchanged(int threads, double busyCores, bool blocked)
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var from = new ThreadPoolSample(t0, 100, 0, threads, TimeSpan.Zero, TimeSpan.Zero);
        var to = new ThreadPoolSample(t0.AddSeconds(1), 100, 0, threads, TimeSpan.Zero, TimeSpan.FromSeconds(busyCores));
        Assert.Equal(blocked, ThreadPoolStarvationMonitor.Blocked(from, to, processorCount: 2));
    }

    [Fact]
    public async Task DisposedFromItsOwnReportHandler_ClosesThePerThreadFiles()
    {
        if (!OperatingSystem.IsLinux() || PoolThreadActivity.TryCreate() is not { } activity)
        {
            return;   // the per-thread files exist on Linux only
        }

        // Make sure some pool worker exists, so that the reader holds at least one file open.
        await Task.Run(() => { }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(activity.Read() >= 0);
        Assert.True(activity.OpenFiles > 0, "no pool worker seen");

        // On the system clock the monitor samples from its own thread; the scripted samples are starved at once, and the
        // report handler disposes the monitor on that thread.
        var diagnostics = new PitfallDiagnostics();
        var n = 0;
        var t0 = DateTimeOffset.UnixEpoch;
        ThreadPoolSample Sample()
        {
            n++;
            return new ThreadPoolSample(t0.AddSeconds(n), 10 + n, 0, 4, TimeSpan.Zero);
        }

        var options = new ThreadPoolMonitorOptions { Interval = TimeSpan.FromMilliseconds(10), Threshold = TimeSpan.FromSeconds(2), Diagnostics = diagnostics };
        var monitor = new ThreadPoolStarvationMonitor(options, Sample, processorCount: 2, activity);
        diagnostics.Reported += (_, _) => monitor.Dispose();
        monitor.Run();
        var thread = Assert.IsType<Thread>(monitor.SamplingThread);
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the sampling thread did not stop");

        Assert.IsType<ThreadPoolStarvationReport>(Assert.Single(diagnostics.Reports));
        Assert.Equal(0, activity.OpenFiles);
        Assert.Equal(-1, activity.Read());   // disposed
    }
}
