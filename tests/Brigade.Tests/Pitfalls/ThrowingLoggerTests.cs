using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Synchronization;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Pitfalls;

/// <summary>
/// A <see cref="PitfallDiagnostics.Logger"/> that throws (one whose provider was disposed at shutdown) must not break the
/// lock operation that reports: review 33 made the held lock-order reports' publication quiet, and left the others (an
/// inversion committed after an acquisition's grant, blocking or awaited) throwing out of the acquisition that had been
/// granted the lock: the caller never got the lock's handle, and the lock stayed taken for good.
/// </summary>
public sealed class ThrowingLoggerTests
{
    private readonly PitfallDiagnostics _diagnostics = new(new FakeTimeProvider()) { LockOrderMode = LockOrderMode.Report, Logger = new ThrowingLogger() };

    [Fact]
    public async Task LoggerThrows_OnABlockingInversion_TheAcquisitionSucceedsAndTheLockIsReleased()
    {
        var (a, b) = await WarmedLockPair.CreateAsync(_diagnostics);

        await TestThreads.Run("inverter", () =>
        {
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        }).Bounded();

        Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        await TestThreads.Run("again", () =>
        {
            using var again = a.TryAcquire(TimeSpan.FromSeconds(10));
            Assert.True(again.IsAcquired);
        }).Bounded();
    }

    [Fact]
    public async Task LoggerThrows_OnAnAwaitedInversion_TheAcquisitionSucceedsAndTheLockIsReleased()
    {
        var (a, b) = await WarmedLockPair.CreateAsync(_diagnostics);

        await Task.Run(async () =>
        {
            using (await b.AcquireAsync())
            using (await a.AcquireAsync())
            {
            }
        }).Bounded();

        Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        await TestThreads.Run("again", () =>
        {
            using var again = a.TryAcquire(TimeSpan.FromSeconds(10));
            Assert.True(again.IsAcquired);
        }).Bounded();
    }
}
