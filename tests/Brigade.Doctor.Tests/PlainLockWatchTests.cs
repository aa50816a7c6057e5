using System.Text.RegularExpressions;

namespace Brigade.Doctor.Tests;

/// <summary>The live watch, in a child process that deadlocks on two plain <c>lock</c> objects with the watch on.</summary>
public sealed partial class PlainLockWatchTests
{
    [Fact]
    public async Task PlainLockAbba_WithTheWatchOn_IsReportedAsBrg1001ThroughPitfallDiagnostics()
    {
        await using var child = await ChildProcess.StartAsync(ChildProcess.CliDll, ["doctor-demo-child", "--watch", "--threshold-ms", "1000"]);

        // Until the report, or the child ends (it waits for its report as long as it takes, review 49).
        var deadline = DateTime.UtcNow + ChildProcess.Failsafe;
        while (!child.Output.Contains("end of report", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !child.HasExited)
        {
            await Task.Delay(50);
        }

        var output = child.Output;
        Assert.Contains("BRG1001 Deadlock detected: 2 threads wait for each other in a cycle (lock/Monitor)", output, StringComparison.Ordinal);
        Assert.Contains("thread 'transfer-1'", output, StringComparison.Ordinal);
        Assert.Contains("thread 'transfer-2'", output, StringComparison.Ordinal);

        // Reported after the threshold; no upper bound (review 49: at load 30-85 the dump alone took over 45 s, which this
        // bounded). The measured latency is in docs/performance.md.
        var detected = int.Parse(Latency().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(detected >= 1000, output);
    }

    [Theory]
    [InlineData("handler")]
    [InlineData("continuation")]
    public async Task Dispose_FromTheReportHandlerOnTheWatchsThread_EndsTheWatchCleanly(string disposeFrom)
    {
        // "Report, then stop watching": the handler (or an await continuation it runs inline) disposes the watch on the
        // watch's own thread. That must neither join itself nor leave the loop on disposed state (which crashed the process).
        await using var child = await ChildProcess.StartAsync(ChildProcess.CliDll, ["doctor-demo-child", "--dispose-from", disposeFrom, "--threshold-ms", "300", "--no-warm-up"]);

        // Until the report, or the child ends: this test checks how the watch ends, not how fast it reports. Review 49: at
        // load 30-85 the child itself gave up after 60 s (a fixed wait in doctor-demo-child), so this failed at ~70 s
        // whatever its own deadline; the child now waits as long as the report takes.
        var deadline = DateTime.UtcNow + ChildProcess.Failsafe;
        while (!child.Output.Contains("end of report", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !child.HasExited)
        {
            await Task.Delay(50);
        }

        var output = child.Output;
        Assert.Contains("BRG1001 Deadlock detected", output, StringComparison.Ordinal);
        Assert.Contains("the watch's thread ended", output, StringComparison.Ordinal);
        Assert.False(child.HasExited, output);
    }

    [Fact]
    public void Start_Twice_Throws_AndDisposeAllowsANewOne()
    {
        using (var watch = PlainLockWatch.Start(new PlainLockWatchOptions { Threshold = TimeSpan.FromSeconds(30), WarmUp = false }))
        {
            Assert.Same(watch, PlainLockWatch.Current);
        Assert.True(SpinWait.SpinUntil(() => watch.IsWarm, TimeSpan.FromSeconds(60)));
            Assert.Throws<InvalidOperationException>(() => PlainLockWatch.Start());
        }

        Assert.Null(PlainLockWatch.Current);
        using var again = PlainLockWatch.Start(new PlainLockWatchOptions { Threshold = TimeSpan.FromSeconds(30), WarmUp = false });
        Assert.Equal(TimeSpan.FromSeconds(30), again.Threshold);
    }

    [Fact]
    public void UncontendedLocks_WithTheWatchOn_NeverDiagnose()
    {
        using var watch = PlainLockWatch.Start(new PlainLockWatchOptions { Threshold = TimeSpan.FromMilliseconds(50), WarmUp = false });
        var gate = new object();
        var count = 0;
        for (var i = 0; i < 100_000; i++)
        {
            lock (gate)
            {
                count++;
            }
        }

        Thread.Sleep(200);
        Assert.Equal(100_000, count);
        Assert.Equal(0, watch.DiagnosesTaken);
    }

    [Fact]
    public void Options_RejectANonPositiveThreshold() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PlainLockWatchOptions { Threshold = TimeSpan.Zero });

    [GeneratedRegex(@"detected (\d+) ms after the deadlock formed")]
    private static partial Regex Latency();
}
