using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Tests.Synchronization;

/// <summary>Review 29e, findings 1, 2, 3 and 5: lock-order inversions lost or misreported around waits and gates.</summary>
public sealed class LockOrderReview29eTests
{
    private readonly PitfallDiagnostics _diagnostics = new() { LockOrderMode = LockOrderMode.Report };

    [Fact]
    public async Task Cycle_WhoseOrdersAreCheckedWhileAnotherWaits_IsReportedWhenTheLastIsGranted()
    {
        // B -> C recorded; t1 holds A and waits for B (t3 holds it); t2 holds C and takes A (waits for t1). Each order
        // was checked before the others were recorded: the cycle A -> B -> C -> A is complete only once they are granted.
        var a = NewLock("A");
        var b = NewLock("B");
        var c = NewLock("C");
        await TestThreads.Run("warm", () =>
        {
            using (b.Acquire())
            using (c.Acquire())
            {
            }
        }).Bounded();

        using var t3Holds = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var t3 = TestThreads.Run("t3", () =>
        {
            using (b.Acquire())
            {
                t3Holds.Set();
                release.Wait();
            }
        });
        t3Holds.Wait();
        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        });
        TestThreads.UntilHolderBlocked(a);
        var t2 = TestThreads.Run("t2", () =>
        {
            using (c.Acquire())
            using (a.Acquire())
            {
            }
        });
        TestThreads.UntilHolderBlocked(c);
        release.Set();
        await Task.WhenAll(t1, t2, t3).Bounded();

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal(PitfallCodes.LockOrderInversion, report.Code);
        Assert.Equal(2, report.EarlierPath.Count);
    }

    [Fact]
    public async Task DeadlockRefusal_PublishesThePendingInversionOutsideTheCycle()
    {
        // A -> X recorded. t1 holds A and waits for B; t2 holds X and B and takes A: B -> A closes a real deadlock
        // (refused), X -> A inverts A -> X with X outside the cycle: still a potential deadlock of its own.
        var a = NewLock("A");
        var b = NewLock("B");
        var x = NewLock("X");
        await TestThreads.Run("warm", () =>
        {
            using (a.Acquire())
            using (x.Acquire())
            {
            }
        }).Bounded();

        using var t1HoldsA = new ManualResetEventSlim();
        using var t2HoldsB = new ManualResetEventSlim();
        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                t2HoldsB.Wait();
                using (b.Acquire())
                {
                }
            }
        });
        var t2 = TestThreads.Run("t2", () =>
        {
            t1HoldsA.Wait();
            using (x.Acquire())
            using (b.Acquire())
            {
                t2HoldsB.Set();
                TestThreads.UntilHolderBlocked(a);
                Assert.Throws<DeadlockException>(() => a.Acquire());
            }
        });
        await Task.WhenAll(t1, t2).Bounded();

        Assert.Single(_diagnostics.Reports.OfType<DeadlockReport>());
        var inversion = Assert.Single(_diagnostics.Reports.OfType<LockOrderReport>());
        Assert.Equal("lock 'X'", inversion.Current.HeldLock);
        Assert.Equal("lock 'A'", inversion.Current.AcquiredLock);
    }

    [Fact]
    public async Task InversionWaitingFirst_InADeadlockClosedLater_IsReportedOnlyAsTheDeadlock()
    {
        // A -> B recorded. t1 holds B, takes A and waits for t2; t2 holds A and takes B: refused. t1's B -> A was
        // checked first: its report waits for t1's wait to end, and the deadlock report names that wait, so it is not
        // published "did not hang" after the deadlock.
        var a = NewLock("A");
        var b = NewLock("B");
        await TestThreads.Run("warm", () =>
        {
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();

        using var t2HoldsA = new ManualResetEventSlim();
        var t2 = TestThreads.Run("t2", () =>
        {
            using (a.Acquire())
            {
                t2HoldsA.Set();
                TestThreads.UntilHolderBlocked(b);
                Assert.Throws<DeadlockException>(() => b.Acquire());
            }
        });
        var t1 = TestThreads.Run("t1", () =>
        {
            t2HoldsA.Wait();
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        });
        await Task.WhenAll(t1, t2).Bounded();

        var report = Assert.Single(_diagnostics.Reports);
        Assert.IsType<DeadlockReport>(report);
    }

    [Fact]
    public async Task GateSuppression_IsLiftedByAnUngatedSecondPath()
    {
        // A -> B only under G; A -> X and X -> B without it; then B -> A under G. A -> X -> B -> A can deadlock.
        var g = NewLock("G");
        var a = NewLock("A");
        var b = NewLock("B");
        var x = NewLock("X");
        await TestThreads.Run("t1", () =>
        {
            using (g.Acquire())
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();
        await TestThreads.Run("t3", () =>
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
        await TestThreads.Run("t2", () =>
        {
            using (g.Acquire())
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        }).Bounded();

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal("lock 'B'", report.Current.HeldLock);
        Assert.Equal(["lock 'A' -> lock 'X'", "lock 'X' -> lock 'B'"], report.EarlierPath.Select(e => $"{e.HeldLock} -> {e.AcquiredLock}"));
    }

    [Fact]
    public async Task GateSuppression_StillHolds_WhenEveryPathIsGated()
    {
        var g = NewLock("G");
        var a = NewLock("A");
        var b = NewLock("B");
        var x = NewLock("X");
        await TestThreads.Run("t1", () =>
        {
            using (g.Acquire())
            {
                using (a.Acquire())
                using (b.Acquire())
                {
                }

                using (a.Acquire())
                using (x.Acquire())
                {
                }

                using (x.Acquire())
                using (b.Acquire())
                {
                }
            }
        }).Bounded();
        await TestThreads.Run("t2", () =>
        {
            using (g.Acquire())
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        }).Bounded();

        Assert.Empty(_diagnostics.Reports);
    }

    [Fact]
    public async Task GateSuppression_SecondPathThroughAHeldLock_IsThatLocksInversionOnly()
    {
        // A -> G -> B against G -> B -> A: G -> A is reported; the path A -> G -> B that avoids the gated A -> B goes
        // through G, which the flow holds, so B -> A is not reported again.
        var g = NewLock("G");
        var a = NewLock("A");
        var b = NewLock("B");
        await TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            using (g.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();
        await TestThreads.Run("t2", () =>
        {
            using (g.Acquire())
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        }).Bounded();

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal("lock 'G'", report.Current.HeldLock);
    }

    private DetectingLock NewLock(string name) => new(new LockOptions { Name = name, Diagnostics = _diagnostics });
}
