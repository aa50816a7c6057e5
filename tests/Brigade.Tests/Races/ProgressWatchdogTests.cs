using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Synchronization;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Races;

[Collection(RaceCollection.Name)]
public sealed class ProgressWatchdogTests
{
    [Fact]
    public void BusyWithoutProgress_PastTheThreshold_IsALivelock_BlockedIsAHang_OneStuckAmongProgressIsStarvation()
    {
        var time = new FakeTimeProvider();
        var diagnostics = new PitfallDiagnostics(time);
        using var watchdog = ProgressWatchdog.Start(new ProgressWatchdogOptions { Threshold = TimeSpan.FromSeconds(1), Interval = TimeSpan.FromMilliseconds(250), Diagnostics = diagnostics, PoliteLivelockAttempts = 0 });
        long cpuA = 0, cpuB = 0;
        using var a = watchdog.Watch("a");
        using var b = watchdog.Watch("b");
        a.CpuSource = () => cpuA;
        b.CpuSource = () => cpuB;
        a.Mark();
        b.Mark();

        // Both busy (a full core each), no progress: a livelock at the threshold, not before.
        Advance(time, TimeSpan.FromMilliseconds(750), ref cpuA, ref cpuB, busyA: true, busyB: true);
        Assert.Empty(diagnostics.Reports);
        Advance(time, TimeSpan.FromMilliseconds(500), ref cpuA, ref cpuB, busyA: true, busyB: true);
        var livelock = Assert.Single(diagnostics.Reports);
        Assert.Equal(PitfallKind.Livelock, livelock.Kind);
        Assert.StartsWith("Livelock detected:", livelock.Message, StringComparison.Ordinal);

        // Progress ends the episode; then both blocked: a hang.
        a.Mark();
        b.Mark();
        watchdog.Check();
        Advance(time, TimeSpan.FromMilliseconds(1250), ref cpuA, ref cpuB, busyA: false, busyB: false);
        Assert.Equal(PitfallKind.Hang, diagnostics.Reports[^1].Kind);
        Assert.StartsWith("Hang detected:", diagnostics.Reports[^1].Message, StringComparison.Ordinal);

        // a progresses, b does not: starvation.
        a.Mark();
        b.Mark();
        watchdog.Check();
        for (var i = 0; i < 5; i++)
        {
            Advance(time, TimeSpan.FromMilliseconds(250), ref cpuA, ref cpuB, busyA: true, busyB: false);
            a.Mark();
        }

        Assert.Equal(PitfallKind.Starvation, diagnostics.Reports[^1].Kind);
        Assert.Contains("'b': no progress", diagnostics.Reports[^1].Message, StringComparison.Ordinal);
        Assert.Equal(3, diagnostics.Reports.Count);
    }

    [Fact]
    public void ASpinner_ThatGetsLittleCpuOnALoadedMachine_IsALivelock_NotAHang()
    {
        // Load 13 on 2 cores: the spinner runs 38% of the time and waits in the run queue for the rest.
        var time = new FakeTimeProvider();
        var diagnostics = new PitfallDiagnostics(time);
        using var watchdog = ProgressWatchdog.Start(new ProgressWatchdogOptions { Threshold = TimeSpan.FromSeconds(1), Interval = TimeSpan.FromMilliseconds(250), Diagnostics = diagnostics, PoliteLivelockAttempts = 0 });
        long cpu = 0, wait = 0;
        using var spinner = watchdog.Watch("spinner");
        spinner.CpuSource = () => cpu;
        spinner.RunQueueSource = () => wait;
        spinner.Mark("start");
        for (var i = 0; i < 6; i++)
        {
            cpu += TimeSpan.FromMilliseconds(250 * 0.38).Ticks;
            wait += TimeSpan.FromMilliseconds(250 * 0.60).Ticks;
            time.Advance(TimeSpan.FromMilliseconds(250));
        }

        var report = Assert.IsType<ProgressReport>(Assert.Single(diagnostics.Reports));
        Assert.Equal(PitfallKind.Livelock, report.Kind);
        Assert.Contains("38% CPU and 60% waiting for a core", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABlockedThread_ThatNeitherRunsNorWaitsForACore_IsStillAHang()
    {
        var time = new FakeTimeProvider();
        var diagnostics = new PitfallDiagnostics(time);
        using var watchdog = ProgressWatchdog.Start(new ProgressWatchdogOptions { Threshold = TimeSpan.FromSeconds(1), Interval = TimeSpan.FromMilliseconds(250), Diagnostics = diagnostics, PoliteLivelockAttempts = 0 });
        using var blocked = watchdog.Watch("blocked");
        blocked.CpuSource = () => 0;
        blocked.RunQueueSource = () => 0;
        blocked.Mark();
        time.Advance(TimeSpan.FromMilliseconds(1500));
        for (var i = 0; i < 6; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
        }

        Assert.Equal(PitfallKind.Hang, Assert.Single(diagnostics.Reports).Kind);
    }

    [Fact]
    public void AConsumerWaitingForWork_InsideIdle_IsNotAHang_AndIsWatchedAgainAfterwards()
    {
        var time = new FakeTimeProvider();
        var diagnostics = new PitfallDiagnostics(time);
        using var watchdog = ProgressWatchdog.Start(new ProgressWatchdogOptions { Threshold = TimeSpan.FromSeconds(1), Interval = TimeSpan.FromMilliseconds(250), Diagnostics = diagnostics, PoliteLivelockAttempts = 0 });
        using var consumer = watchdog.Watch("consumer");
        consumer.CpuSource = () => 0;
        consumer.RunQueueSource = () => 0;
        consumer.Mark("item 1");
        using (consumer.Idle())
        {
            // The queue stays empty for 5 s.
            for (var i = 0; i < 20; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(250));
            }
        }

        Assert.Empty(diagnostics.Reports);

        // Work arrived; the clock starts when the wait ended: handling it for 0.75 s is fine, then it hangs in Handle.
        time.Advance(TimeSpan.FromMilliseconds(750));
        Assert.Empty(diagnostics.Reports);
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(PitfallKind.Hang, Assert.Single(diagnostics.Reports).Kind);
    }

    [Fact]
    public void NestedIdle_AnInnerScopeDisposedTwice_DoesNotEndTheOuterWait()
    {
        var time = new FakeTimeProvider();
        var diagnostics = new PitfallDiagnostics(time);
        using var watchdog = ProgressWatchdog.Start(new ProgressWatchdogOptions { Threshold = TimeSpan.FromSeconds(1), Interval = TimeSpan.FromMilliseconds(250), Diagnostics = diagnostics, PoliteLivelockAttempts = 0 });
        using var consumer = watchdog.Watch("consumer");
        consumer.CpuSource = () => 0;
        consumer.RunQueueSource = () => 0;
        consumer.Mark("item 1");
        using (consumer.Idle())
        {
            var inner = consumer.Idle();
            inner.Dispose();
            inner.Dispose(); // once only (review 29e: one shared scope ended the outer wait too)
            for (var i = 0; i < 20; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(250));
            }

            Assert.Empty(diagnostics.Reports);
        }
    }

    [Fact]
    public async Task PoliteThreads_FailingToTakeWhatTheOtherHolds_AreReportedAsALivelock()
    {
        var diagnostics = new PitfallDiagnostics { LockOrderMode = LockOrderMode.Off };
        using var watchdog = ProgressWatchdog.Start(new ProgressWatchdogOptions { PoliteLivelockAttempts = 20, Diagnostics = diagnostics, Interval = TimeSpan.FromHours(1) });
        var forks = new[] { new DetectingLock(new LockOptions { Name = "fork 1", Diagnostics = diagnostics }), new DetectingLock(new LockOptions { Name = "fork 2", Diagnostics = diagnostics }) };
        using var holding = new Barrier(2);
        void Polite(int me)
        {
            for (var round = 0; round < 25; round++)
            {
                using (forks[me].Acquire())
                {
                    holding.SignalAndWait(TestThreads.Bound);
                    using var other = forks[1 - me].TryAcquire(TimeSpan.Zero);
                    Assert.False(other.IsAcquired);
                    holding.SignalAndWait(TestThreads.Bound);
                }
            }
        }

        await Task.WhenAll(TestThreads.Run("philosopher-1", () => Polite(0)), TestThreads.Run("philosopher-2", () => Polite(1))).Bounded();

        var report = Assert.Single(diagnostics.Reports);
        Assert.Equal(PitfallCodes.Livelock, report.Code);
        Assert.Contains("keep backing off from each other", report.Message, StringComparison.Ordinal);
        Assert.Contains("lock 'fork 2'", report.Message, StringComparison.Ordinal);
    }

    private static void Advance(FakeTimeProvider time, TimeSpan by, ref long cpuA, ref long cpuB, bool busyA, bool busyB)
    {
        var step = TimeSpan.FromMilliseconds(250);
        for (var done = TimeSpan.Zero; done < by; done += step)
        {
            cpuA += busyA ? step.Ticks : 0;
            cpuB += busyB ? step.Ticks : 0;
            time.Advance(step);
        }
    }
}
