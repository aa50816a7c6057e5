using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Synchronization;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Review32;

/// <summary>
/// Review 32: a blocking acquisition that inverts a known order kept its BRG1002 report until its wait ended (so that a
/// deadlock report closing the cycle later could replace it). A wait that never ends — the lock's holder blocked on
/// something the wait-for graph does not see, which is how such an inversion hangs a process — left the hang without any
/// report. Past a grace (1 s on the diagnostics' clock) the waiting thread publishes it and waits on.
/// </summary>
public sealed class BlockedInverterReportTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PitfallDiagnostics _diagnostics;

    public BlockedInverterReportTests() => _diagnostics = new PitfallDiagnostics(_time) { LockOrderMode = LockOrderMode.Report };

    [Fact]
    public async Task InverterStillBlocked_PastTheGrace_ItsReportIsPublished_OnceInAll()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        await Warm(a, b);

        // t1 holds A and waits on an event (untracked); t2 holds B and waits for A: B -> A inverts A -> B.
        using var release = new ManualResetEventSlim();
        using var t1HoldsA = new ManualResetEventSlim();
        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                release.Wait();
            }
        });
        t1HoldsA.Wait();
        var t2 = TestThreads.Run("t2", () =>
        {
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        });
        TestThreads.Until(() => a.WaitingCount == 1, "t2 waits for A");
        Assert.Empty(_diagnostics.Reports);

        // Before the fix: nothing until the wait ended (30 s here, for ever in a real hang). The clock moves on until the
        // report comes (the grace timer is armed a moment after the waiter is queued).
        TestThreads.Until(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(2));
                return _diagnostics.Reports.Count == 1;
            },
            "the blocked inverter's report is published");
        Assert.Equal(1, a.WaitingCount);

        release.Set();
        await Task.WhenAll(t1, t2).Bounded();
        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal("lock 'B'", report.Current.HeldLock);
        Assert.Equal("lock 'A'", report.Current.AcquiredLock);
    }

    [Fact]
    public async Task InverterGrantedWithinTheGrace_ReportedOnce()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        await Warm(a, b);

        using var release = new ManualResetEventSlim();
        using var t1HoldsA = new ManualResetEventSlim();
        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                release.Wait();
            }
        });
        t1HoldsA.Wait();
        var t2 = TestThreads.Run("t2", () =>
        {
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        });
        TestThreads.Until(() => a.WaitingCount == 1, "t2 waits for A");
        release.Set();
        await Task.WhenAll(t1, t2).Bounded();
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
    }

    private static async Task Warm(DetectingLock first, DetectingLock second) =>
        await TestThreads.Run("warm", () =>
        {
            using (first.Acquire())
            using (second.Acquire())
            {
            }
        }).Bounded();

    private DetectingLock NewLock(string name) => new(new LockOptions { Name = name, Diagnostics = _diagnostics });
}
