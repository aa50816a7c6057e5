using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Synchronization;

namespace Brigade.Tests.Lib56;

/// <summary>
/// A thread or flow taking a <see cref="DetectingLock"/> it already holds through <c>TryAcquire</c> (lib56): with a
/// timeout it was refused with <see cref="DeadlockException"/> (a cycle of one, as <c>Acquire</c>), with
/// <see cref="TimeSpan.Zero"/> it returned "not acquired", which reads "busy, try later" to code whose later never comes.
/// Every timeout now refuses it the same way; another thread's zero-timeout try on the held lock still just fails.
/// </summary>
public sealed class ReentrantTryAcquireTests
{
    private readonly PitfallDiagnostics _diagnostics = new() { LockOrderMode = LockOrderMode.Off };

    // 1 ms: before, such a timer could beat the cycle search on a loaded machine, and the try returned "not acquired".
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(30_000)]
    public async Task TryAcquire_ByItsHolder_IsRefusedAsACycleOfOne_WhateverTheTimeout(int milliseconds)
    {
        var gate = new DetectingLock(new LockOptions { Name = "gate", Diagnostics = _diagnostics });

        // A thread of its own holds it: a blocking scope is released on the thread that took it.
        await TestThreads.Run("holder", () =>
        {
            using (gate.Acquire())
            {
                var refused = Assert.Throws<DeadlockException>(() => gate.TryAcquire(TimeSpan.FromMilliseconds(milliseconds)));
                Assert.EndsWith("itself", Assert.Single(refused.Deadlock!.Cycle).Owner, StringComparison.Ordinal);

                // Not the holder: the usual try, which fails while the lock is held.
                Assert.False(TestThreads.Run("other", () =>
                {
                    using var scope = gate.TryAcquire(TimeSpan.Zero);
                    return scope.IsAcquired;
                }).Result);
                Assert.True(gate.IsHeld);
            }
        }).Bounded();

        Assert.False(gate.IsHeld);
        Assert.Equal(0, gate.WaitingCount);
        using var again = gate.TryAcquire(TimeSpan.Zero);
        Assert.True(again.IsAcquired);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(30_000)]
    public async Task TryAcquireAsync_ByTheFlowHoldingIt_IsRefusedAsACycleOfOne_WhateverTheTimeout(int milliseconds)
    {
        var gate = new DetectingLock(new LockOptions { Name = "gate", Diagnostics = _diagnostics });
        using (await gate.AcquireAsync())
        {
            await Task.Yield();
            var refused = await Assert.ThrowsAsync<DeadlockException>(async () => await gate.TryAcquireAsync(TimeSpan.FromMilliseconds(milliseconds)));
            Assert.Single(refused.Deadlock!.Cycle);
        }

        Assert.False(gate.IsHeld);
        Assert.Equal(0, gate.WaitingCount);
    }

    [Fact]
    public void TryAcquire_NotDetecting_OnlyTries()
    {
        // Without detection no owner is known: a try is a try (and Acquire would hang, as documented for that mode).
        var gate = new DetectingLock(new LockOptions { Name = "gate", DetectPitfalls = false, Diagnostics = _diagnostics });
        using (gate.Acquire())
        {
            using var again = gate.TryAcquire(TimeSpan.Zero);
            Assert.False(again.IsAcquired);
        }
    }
}
