using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Tests.Synchronization;

public sealed class LockOrderTests
{
    private readonly PitfallDiagnostics _diagnostics = new() { LockOrderMode = LockOrderMode.Report };

    [Fact]
    public async Task Inversion_AcrossTwoRunsThatNeverOverlapped_IsReportedWithBothPaths()
    {
        var a = NewLock("A");
        var b = NewLock("B");

        await TestThreads.Run("run-1", () =>
        {
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();
        Assert.Empty(_diagnostics.Reports);

        // A later run, after the first one finished: nothing can hang, yet the opposite order is a potential deadlock.
        await TestThreads.Run("run-2", () =>
        {
            using (b.Acquire())
            using (a.Acquire())
            {
            }

            using (b.Acquire())
            using (a.Acquire())
            {
            }
        }).Bounded();

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal(PitfallCodes.LockOrderInversion, report.Code);
        Assert.StartsWith("Potential deadlock (lock-order inversion):", report.Message, StringComparison.Ordinal);
        Assert.StartsWith("thread 'run-2'", report.Current.Holder, StringComparison.Ordinal);
        Assert.Equal("lock 'B'", report.Current.HeldLock);
        Assert.Equal("lock 'A'", report.Current.AcquiredLock);
        var earlier = Assert.Single(report.EarlierPath);
        Assert.StartsWith("thread 'run-1'", earlier.Holder, StringComparison.Ordinal);
        Assert.Equal("lock 'A'", earlier.HeldLock);
        Assert.Equal("lock 'B'", earlier.AcquiredLock);
        Assert.Equal(nameof(LockOrderTests) + ".cs", Path.GetFileName(earlier.AcquiredAt!.FilePath));
        Assert.NotEqual(earlier.AcquiredAt.Line, report.Current.AcquiredAt!.Line);
    }

    [Fact]
    public void Inversion_ThroughALongerChain_ListsEveryEarlierStep()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        var c = NewLock("C");
        using (a.Acquire())
        using (b.Acquire())
        {
        }

        using (b.Acquire())
        using (c.Acquire())
        {
        }

        using (c.Acquire())
        using (a.Acquire())
        {
        }

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal(["lock 'A' -> lock 'B'", "lock 'B' -> lock 'C'"], report.EarlierPath.Select(e => $"{e.HeldLock} -> {e.AcquiredLock}"));
        Assert.Equal("lock 'C'", report.Current.HeldLock);
    }

    [Fact]
    public void ThrowMode_RefusesTheInvertingAcquisitionBeforeItWaits()
    {
        _diagnostics.LockOrderMode = LockOrderMode.Throw;
        var a = NewLock("A");
        var b = NewLock("B");
        using (a.Acquire())
        using (b.Acquire())
        {
        }

        using (b.Acquire())
        {
            var refused = Assert.Throws<LockOrderException>(() => a.Acquire());
            Assert.Equal(PitfallCodes.LockOrderInversion, refused.Code);
            Assert.False(a.IsHeld);

            // Refused every time, reported once.
            Assert.Throws<LockOrderException>(() => a.Acquire());
        }

        Assert.Single(_diagnostics.Reports);
        using (a.Acquire())
        using (b.Acquire())
        {
        }
    }

    [Fact]
    public void ThrowMode_AlsoRefusesAnInversionFirstRecordedInReportMode()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        using (a.Acquire())
        using (b.Acquire())
        {
        }

        using (b.Acquire())
        using (a.Acquire())
        {
        }

        _diagnostics.LockOrderMode = LockOrderMode.Throw;
        using (b.Acquire())
        {
            Assert.Throws<LockOrderException>(() => a.Acquire());
        }

        Assert.Single(_diagnostics.Reports);
    }

    [Fact]
    public async Task ThrowMode_Async_FaultsTheAwaitedAcquisition()
    {
        _diagnostics.LockOrderMode = LockOrderMode.Throw;
        var a = NewLock("A");
        var b = NewLock("B");
        using (await a.AcquireAsync())
        using (await b.AcquireAsync())
        {
        }

        using (await b.AcquireAsync())
        {
            await Assert.ThrowsAsync<LockOrderException>(async () => await a.AcquireAsync());
        }
    }

    [Fact]
    public async Task AsyncFlows_Inversion_IsReported()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        await Task.Run(async () =>
        {
            using (await a.AcquireAsync())
            {
                await Task.Yield();
                using (await b.AcquireAsync())
                {
                }
            }
        });
        await Task.Run(async () =>
        {
            using (await b.AcquireAsync())
            {
                await Task.Yield();
                using (await a.AcquireAsync())
                {
                }
            }
        });

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.StartsWith("async flow #", report.Current.Holder, StringComparison.Ordinal);
    }

    [Fact]
    public void OffMode_RecordsAndReportsNothing()
    {
        _diagnostics.LockOrderMode = LockOrderMode.Off;
        var a = NewLock("A");
        var b = NewLock("B");
        using (a.Acquire())
        using (b.Acquire())
        {
        }

        using (b.Acquire())
        using (a.Acquire())
        {
        }

        Assert.Empty(_diagnostics.Reports);
        Assert.Equal(0, _diagnostics.OrderGraph.EdgeCount);
    }

    [Fact]
    public void TryAcquireWithoutWaiting_CannotDeadlock_SoItAddsNoOrder()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        using (a.Acquire())
        using (b.Acquire())
        {
        }

        using (b.Acquire())
        using (var scope = a.TryAcquire(TimeSpan.Zero))
        {
            Assert.True(scope.IsAcquired);
        }

        Assert.Empty(_diagnostics.Reports);
    }

    [Fact]
    public void LocksOfAnotherChannel_AreNotOrderedAgainstThisOne()
    {
        var other = new PitfallDiagnostics();
        var a = NewLock("A");
        var x = new DetectingLock(new LockOptions { Name = "X", Diagnostics = other });
        using (a.Acquire())
        using (x.Acquire())
        {
        }

        using (x.Acquire())
        using (a.Acquire())
        {
        }

        Assert.Empty(_diagnostics.Reports);
        Assert.Empty(other.Reports);
    }

    [Fact]
    public async Task ARealDeadlock_IsReportedAsADeadlock_NotAlsoAsAPotentialOneThatDidNotHang()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        using var t1HoldsA = new ManualResetEventSlim();
        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                TestThreads.Until(() => b.IsHeld, "t2 holds B");
                using (b.Acquire())
                {
                }
            }
        });
        var t2 = TestThreads.Run("t2", () =>
        {
            t1HoldsA.Wait();
            using (b.Acquire())
            {
                TestThreads.UntilHolderBlocked(a);
                Assert.Throws<DeadlockException>(() => a.Acquire());
            }
        });
        await t2.Bounded();
        await t1.Bounded();

        Assert.IsType<DeadlockReport>(Assert.Single(_diagnostics.Reports));
    }

    [Fact]
    public async Task AWaitThatWasCancelled_TookNothing_SoItAddsNoOrder()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        using var cancel = new CancellationTokenSource();
        await TestThreads.Run("holder", () =>
        {
            using (b.Acquire())
            {
                var t1 = TestThreads.Run("t1", () =>
                {
                    using (a.Acquire())
                    {
                        Assert.ThrowsAny<OperationCanceledException>(() => b.Acquire(cancel.Token));
                    }
                });
                TestThreads.Until(() => b.WaitingCount == 1, "t1 waits for B");
                cancel.Cancel();
                Assert.True(t1.Wait(TestThreads.Bound));
            }
        }).Bounded();

        await TestThreads.Run("t2", () =>
        {
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        }).Bounded();

        Assert.Empty(_diagnostics.Reports);
    }

    [Fact]
    public async Task AnInversionThroughAnotherLockTheThreadHolds_IsReportedOnce_ForThatLock()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        var c = NewLock("C");
        await TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();

        // B then C, then A: B -> A inverts A -> B; C -> A closes A -> B -> C -> A only through B, which it holds.
        await TestThreads.Run("t2", () =>
        {
            using (b.Acquire())
            using (c.Acquire())
            using (a.Acquire())
            {
            }
        }).Bounded();

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal("lock 'B'", report.Current.HeldLock);
    }

    [Fact]
    public async Task TwoLocksWithTheSameName_AreToldApart_InTheReport()
    {
        var first = NewLock("account");
        var second = NewLock("account");
        await TestThreads.Run("x", () =>
        {
            using (first.Acquire())
            using (second.Acquire())
            {
            }
        }).Bounded();
        await TestThreads.Run("y", () =>
        {
            using (second.Acquire())
            using (first.Acquire())
            {
            }
        }).Bounded();

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.NotEqual(report.Current.HeldLock, report.Current.AcquiredLock);
        Assert.StartsWith("lock 'account' (#", report.Current.HeldLock, StringComparison.Ordinal);
        Assert.Equal(report.Current.HeldLock, Assert.Single(report.EarlierPath).AcquiredLock);
        Assert.DoesNotContain("lock 'account' while holding lock 'account'", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGateLockHeldAroundBothOrders_SerializesThem_SoNothingIsReported_UntilAnOrderIsTakenWithoutIt()
    {
        var gate = NewLock("G");
        var a = NewLock("A");
        var b = NewLock("B");
        await TestThreads.Run("1", () =>
        {
            using (gate.Acquire())
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();
        await TestThreads.Run("2", () =>
        {
            using (gate.Acquire())
            using (b.Acquire())
            using (a.Acquire())
            {
            }
        }).Bounded();
        Assert.Empty(_diagnostics.Reports);

        // A -> B without the gate: now B -> A (under the gate) and A -> B (without it) can deadlock.
        await TestThreads.Run("3", () =>
        {
            using (a.Acquire())
            using (b.Acquire())
            {
            }
        }).Bounded();

        var report = Assert.IsType<LockOrderReport>(Assert.Single(_diagnostics.Reports));
        Assert.Equal("lock 'B'", report.Current.HeldLock);
        Assert.Equal("lock 'A'", report.Current.AcquiredLock);
        Assert.StartsWith("thread '1'", Assert.Single(report.EarlierPath).Holder, StringComparison.Ordinal);
    }

    private DetectingLock NewLock(string name) => new(new LockOptions { Name = name, Diagnostics = _diagnostics });
}
