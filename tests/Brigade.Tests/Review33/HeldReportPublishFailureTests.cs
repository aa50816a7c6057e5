using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Synchronization;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Review33;

/// <summary>
/// Review 33: an awaited acquisition's inversion reports are held on its wait (review 32) and published by whoever ends
/// it: the releasing thread, inside its grant and before the awaiter's result is set, or the grace timer's thread. A
/// logger that throws there (one whose provider was disposed at shutdown, say) escaped that grant: the awaiter, granted
/// the lock, was never resumed and held it for ever, and the releaser's <c>Dispose</c> threw; on the system clock the
/// grace timer's throw would end the process. Publishing a held report must not break the lock operation that ends it.
/// </summary>
public sealed class HeldReportPublishFailureTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PitfallDiagnostics _diagnostics;

    public HeldReportPublishFailureTests() =>
        _diagnostics = new PitfallDiagnostics(_time) { LockOrderMode = LockOrderMode.Report, Logger = new ThrowingLogger() };

    [Fact]
    public async Task LoggerThrows_WhenTheGrantPublishesTheHeldReport_TheAwaiterStillResumes()
    {
        var (a, b) = await WarmedLockPair.CreateAsync(_diagnostics);
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
        var flow = Task.Run(() => Inverter(a, b));
        TestThreads.Until(() => a.WaitingCount == 1, "the flow waits for A");

        release.Set();

        // Before the fix: t1's release threw the logger's exception and the flow, granted A, never resumed.
        await t1.WaitAsync(TimeSpan.FromSeconds(30));
        await flow.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        using var again = a.TryAcquire(TimeSpan.FromSeconds(10));
        Assert.True(again.IsAcquired);
    }

    [Fact]
    public async Task LoggerThrows_WhenTheGraceTimerPublishesTheHeldReport_TheTimerDoesNotThrow()
    {
        var (a, b) = await WarmedLockPair.CreateAsync(_diagnostics);
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
        var flow = Task.Run(() => Inverter(a, b));
        TestThreads.Until(() => a.WaitingCount == 1, "the flow waits for A");

        // The fake clock runs its timers on this thread: before the fix the logger's exception came out of Advance (on
        // the system clock, out of a timer callback: the end of the process).
        TestThreads.Until(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(2));
                return _diagnostics.Reports.Count == 1;
            },
            "the held report is published");

        release.Set();
        await Task.WhenAll(t1, flow).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
    }

    [Fact]
    public async Task LoggerThrows_WhenABlockedInverterPublishesPastTheGrace_ItsWaitGoesOn()
    {
        var (a, b) = await WarmedLockPair.CreateAsync(_diagnostics);
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
        TestThreads.Until(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(2));
                return _diagnostics.Reports.Count == 1;
            },
            "the blocked inverter's report is published");

        // Before the fix: the logger's exception left t2's Acquire with its wait still queued; A, handed to it, was never
        // released.
        release.Set();
        await Task.WhenAll(t1, t2).WaitAsync(TimeSpan.FromSeconds(30));
        using var again = a.TryAcquire(TimeSpan.FromSeconds(10));
        Assert.True(again.IsAcquired);
    }

    private static async Task Inverter(DetectingLock a, DetectingLock b)
    {
        await Task.Yield();
        using (await b.AcquireAsync())
        using (await a.AcquireAsync())
        {
        }
    }
}
