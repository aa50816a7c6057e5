using Brigade.Diagnostics;
using Brigade.Synchronization;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Synchronization;

/// <summary>Review 30, findings 2, 3 and 9: a deadlock's waiter that gives up, and marks or suppressions that outlive
/// their wait.</summary>
public sealed class LockOrderReview30Tests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PitfallDiagnostics _diagnostics;

    public LockOrderReview30Tests() => _diagnostics = new PitfallDiagnostics(_time) { LockOrderMode = LockOrderMode.Report };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WaiterNamedByADeadlock_ThatGivesUp_IsReportedOnlyAsTheDeadlock(bool timesOut)
    {
        // A -> B recorded. t2 holds B and waits for A (bounded); t1 holds A and takes B: refused as a deadlock, and t1
        // backs off still holding A. t2's wait then ends by timeout or cancellation: its B -> A is the deadlock already
        // reported, not also a BRG1002 "did not hang".
        var a = NewLock("A");
        var b = NewLock("B");
        await Warm(a, b);

        using var t1HoldsA = new ManualResetEventSlim();
        using var t1Refused = new ManualResetEventSlim();
        using var t2Ended = new ManualResetEventSlim();
        using var cancel = new CancellationTokenSource();
        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                TestThreads.Until(() => a.WaitingCount == 1 && b.IsHolderBlocked(), "t2 waits for A");
                Assert.Throws<DeadlockException>(() => b.Acquire());
                t1Refused.Set();
                t2Ended.Wait();
            }
        });
        var t2 = TestThreads.Run("t2", () =>
        {
            t1HoldsA.Wait();
            using (b.Acquire())
            {
                if (timesOut)
                {
                    using var scope = a.TryAcquire(TimeSpan.FromSeconds(5));
                    Assert.False(scope.IsAcquired);
                }
                else
                {
                    Assert.ThrowsAny<OperationCanceledException>(() => a.Acquire(cancel.Token));
                }
            }

            t2Ended.Set();
        });
        t1Refused.Wait();
        if (timesOut)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
        }
        else
        {
            await cancel.CancelAsync();
        }

        await Task.WhenAll(t1, t2).Bounded();

        Assert.IsType<DeadlockReport>(Assert.Single(_diagnostics.Reports));
    }

    [Fact]
    public async Task DeadlockMark_EndsWithItsWait_ALaterInversionOfTheSameOrderIsReported()
    {
        // Phase 1, nothing recorded: t2 holds B and waits for A; t1 holds A and takes B (refused); t2 is cancelled.
        // Phase 2: A -> X, X -> B, then B -> A: the cycle A -> X -> B -> A, which the deadlock report did not cover.
        var a = NewLock("A");
        var b = NewLock("B");
        var x = NewLock("X");
        using var t1HoldsA = new ManualResetEventSlim();
        using var t1Refused = new ManualResetEventSlim();
        using var t2Ended = new ManualResetEventSlim();
        using var cancel = new CancellationTokenSource();
        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                TestThreads.Until(() => a.WaitingCount == 1 && b.IsHolderBlocked(), "t2 waits for A");
                Assert.Throws<DeadlockException>(() => b.Acquire());
                t1Refused.Set();
                t2Ended.Wait();
            }
        });
        var t2 = TestThreads.Run("t2", () =>
        {
            t1HoldsA.Wait();
            using (b.Acquire())
            {
                Assert.ThrowsAny<OperationCanceledException>(() => a.Acquire(cancel.Token));
            }

            t2Ended.Set();
        });
        t1Refused.Wait();
        await cancel.CancelAsync();
        await Task.WhenAll(t1, t2).Bounded();
        Assert.IsType<DeadlockReport>(Assert.Single(_diagnostics.Reports));

        await TestThreads.Run("t5", () =>
        {
            using (a.Acquire())
            using (x.Acquire())
            {
            }

            using (x.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();
        await TestThreads.Run("t6", () =>
        {
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        }).Bounded();

        var inversion = Assert.Single(_diagnostics.Reports.OfType<LockOrderReport>());
        Assert.Equal("lock 'B'", inversion.Current.HeldLock);
        Assert.Equal("lock 'A'", inversion.Current.AcquiredLock);
        Assert.Equal(["lock 'A' -> lock 'X'", "lock 'X' -> lock 'B'"], inversion.EarlierPath.Select(e => $"{e.HeldLock} -> {e.AcquiredLock}"));
    }

    [Fact]
    public async Task GatedInversion_RetriedWithoutEverBeingGranted_IsKeptOnce()
    {
        // A -> B under G. A retry loop takes G, B, then waits for A (held elsewhere) and gives up, three times: each
        // attempt checks the gated B -> A again, which is never granted, so never becomes a known order.
        var g = NewLock("G");
        var a = NewLock("A");
        var b = NewLock("B");
        await TestThreads.Run("warm", () =>
        {
            using (g.Acquire())
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();

        using var holdA = new ManualResetEventSlim();
        using var releaseA = new ManualResetEventSlim();
        var holder = TestThreads.Run("holder", () =>
        {
            using (a.Acquire())
            {
                holdA.Set();
                releaseA.Wait();
            }
        });
        holdA.Wait();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var cancel = new CancellationTokenSource();
            var retry = TestThreads.Run("retry", () =>
            {
                using (g.Acquire())
                using (b.Acquire())
                {
                    Assert.ThrowsAny<OperationCanceledException>(() => a.Acquire(cancel.Token));
                }
            });
            TestThreads.Until(() => a.WaitingCount == 1, "the retry waits for A");
            await cancel.CancelAsync();
            await retry.Bounded();
        }

        releaseA.Set();
        await holder.Bounded();

        Assert.Empty(_diagnostics.Reports);
        Assert.Equal(1, _diagnostics.OrderGraph.SuppressedCount);
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
