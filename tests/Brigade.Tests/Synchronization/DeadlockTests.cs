using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Tests.Synchronization;

public sealed class DeadlockTests
{
    private readonly PitfallDiagnostics _diagnostics = new() { LockOrderMode = LockOrderMode.Off };

    [Fact]
    public async Task TwoThreads_OppositeOrder_TheClosingWaiterIsRefused_TheOtherKeepsWaiting()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        var t1HoldsA = new ManualResetEventSlim();
        var t1GotB = false;

        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                TestThreads.Until(() => b.IsHeld, "t2 holds B");
                using (b.Acquire())
                {
                    t1GotB = true;
                }
            }
        });
        var t2 = TestThreads.Run("t2", () =>
        {
            t1HoldsA.Wait();
            var scope = b.Acquire();
            try
            {
                TestThreads.UntilHolderBlocked(a);
                return Assert.Throws<DeadlockException>(() => a.Acquire());
            }
            finally
            {
                scope.Dispose();
            }
        });

        var refused = await t2.Bounded();
        await t1.Bounded();

        Assert.True(t1GotB);
        Assert.Equal(PitfallCodes.Deadlock, refused.Code);
        var report = Assert.IsType<DeadlockReport>(refused.Report);
        Assert.StartsWith("Deadlock detected:", report.Message, StringComparison.Ordinal);
        Assert.Equal(2, report.Cycle.Count);
        Assert.Equal("thread 't2' (#" + report.Cycle[0].Waiter.Split('#')[1], report.Cycle[0].Waiter);
        Assert.Equal("lock 'A'", report.Cycle[0].Resource);
        Assert.StartsWith("thread 't1'", report.Cycle[0].Owner, StringComparison.Ordinal);
        Assert.Equal("lock 'B'", report.Cycle[1].Resource);
        Assert.StartsWith("thread 't1'", report.Cycle[1].Waiter, StringComparison.Ordinal);
        Assert.StartsWith("thread 't2'", report.Cycle[1].Owner, StringComparison.Ordinal);
        Assert.Equal(nameof(DeadlockTests) + ".cs", Path.GetFileName(report.Cycle[0].WaitingAt!.FilePath));
        Assert.NotNull(report.Cycle[0].OwnerAcquiredAt);
        Assert.Same(report, Assert.Single(_diagnostics.Reports));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    public async Task RingOfN_OnlyTheLastWaiterIsRefused(int n)
    {
        var locks = Enumerable.Range(0, n).Select(i => NewLock($"L{i}")).ToArray();
        var allHold = new Barrier(n);
        var refused = new int[n];
        var threads = new Task[n];

        // Thread i holds L[i] and then wants L[i+1]; the last thread closes the ring once all others are blocked.
        for (var i = 0; i < n; i++)
        {
            var me = i;
            threads[i] = TestThreads.Run($"ring-{me}", () =>
            {
                var mine = locks[me].Acquire();
                try
                {
                    Assert.True(allHold.SignalAndWait(TestThreads.Bound));
                    if (me == n - 1)
                    {
                        for (var j = 0; j < n - 1; j++)
                        {
                            TestThreads.UntilHolderBlocked(locks[j]);
                        }
                    }

                    try
                    {
                        using (locks[(me + 1) % n].Acquire())
                        {
                        }
                    }
                    catch (DeadlockException e)
                    {
                        refused[me]++;
                        Assert.Equal(n, e.Deadlock!.Cycle.Count);
                    }
                }
                finally
                {
                    mine.Dispose();
                }
            });
        }

        await Task.WhenAll(threads).Bounded();
        Assert.Equal([.. Enumerable.Repeat(0, n - 1), 1], refused);
        Assert.Single(_diagnostics.Reports);
    }

    [Fact]
    public async Task MixedSyncAndAsyncWaiters_TheAsyncFlowClosingTheCycleIsRefused()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        var threadHoldsA = new ManualResetEventSlim();

        var thread = TestThreads.Run("sync", () =>
        {
            using (a.Acquire())
            {
                threadHoldsA.Set();
                TestThreads.Until(() => b.IsHeld, "the flow holds B");
                using (b.Acquire())
                {
                }
            }
        });

        threadHoldsA.Wait();
        DeadlockException refused;
        var scope = await b.AcquireAsync();
        try
        {
            await Task.Yield();   // the flow now runs elsewhere, still holding B
            TestThreads.UntilHolderBlocked(a);
            refused = await Assert.ThrowsAsync<DeadlockException>(async () => await a.AcquireAsync());
        }
        finally
        {
            scope.Dispose();
        }

        await thread.Bounded();
        var cycle = refused.Deadlock!.Cycle;
        Assert.StartsWith("async flow #", cycle[0].Waiter, StringComparison.Ordinal);
        Assert.StartsWith("thread 'sync'", cycle[0].Owner, StringComparison.Ordinal);
        Assert.StartsWith("async flow #", cycle[1].Owner, StringComparison.Ordinal);

        // Named by the method where the flow took its first lock (review 38: "async flow #2" alone named nothing a reader knew).
        Assert.EndsWith($"(from {nameof(MixedSyncAndAsyncWaiters_TheAsyncFlowClosingTheCycleIsRefused)})", cycle[0].Waiter, StringComparison.Ordinal);
        Assert.Equal(cycle[0].Waiter, cycle[1].Owner);
    }

    [Fact]
    public async Task MixedSyncAndAsyncWaiters_TheThreadClosingTheCycleIsRefused()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        var flowHoldsA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var flow = Task.Run(async () =>
        {
            using (await a.AcquireAsync())
            {
                flowHoldsA.SetResult();
                TestThreads.Until(() => b.IsHeld, "the thread holds B");
                using (await b.AcquireAsync())
                {
                }
            }
        });

        await flowHoldsA.Task.Bounded();
        var refused = await TestThreads.Run("sync", () =>
        {
            using (b.Acquire())
            {
                TestThreads.UntilHolderBlocked(a);
                return Assert.Throws<DeadlockException>(() => a.Acquire());
            }
        }).Bounded();

        await flow.Bounded();
        Assert.StartsWith("thread 'sync'", refused.Deadlock!.Cycle[0].Waiter, StringComparison.Ordinal);
        Assert.StartsWith("async flow #", refused.Deadlock.Cycle[0].Owner, StringComparison.Ordinal);
    }

    [Fact]
    public void SelfDeadlock_TakingANonReentrantLockAgain_IsRefusedAtOnce()
    {
        var a = NewLock("A");
        using (a.Acquire())
        {
            var refused = Assert.Throws<DeadlockException>(() => a.Acquire());
            var edge = Assert.Single(refused.Deadlock!.Cycle);
            Assert.EndsWith("itself", edge.Owner, StringComparison.Ordinal);
            Assert.Contains("not reentrant", refused.Message, StringComparison.Ordinal);
            Assert.True(a.IsHeld);
        }

        Assert.False(a.IsHeld);
        Assert.Equal(0, a.WaitingCount);
    }

    [Fact]
    public async Task SelfDeadlock_Async_IsRefusedAtOnce()
    {
        var a = NewLock("A");
        using (await a.AcquireAsync())
        {
            await Task.Yield();
            var refused = await Assert.ThrowsAsync<DeadlockException>(async () => await a.AcquireAsync());
            Assert.Single(refused.Deadlock!.Cycle);
        }

        Assert.False(a.IsHeld);
    }

    [Fact]
    public async Task ReaderWriter_TwoReadersUpgrading_TheFirstUpgradeIsRefusedAsAnUpgradeDeadlock()
    {
        var rw = new DetectingReaderWriterLock(new LockOptions { Name = "rw", Diagnostics = _diagnostics });
        var bothRead = new Barrier(2);
        var outcomes = new string[2];

        Task Reader(int i) => TestThreads.Run($"reader-{i}", () =>
        {
            using (rw.AcquireRead())
            {
                Assert.True(bothRead.SignalAndWait(TestThreads.Bound));
                try
                {
                    using (rw.AcquireWrite())
                    {
                        outcomes[i] = "wrote";
                    }
                }
                catch (DeadlockException e)
                {
                    outcomes[i] = e.Message;
                }

                Assert.True(bothRead.SignalAndWait(TestThreads.Bound));
            }
        });

        await Task.WhenAll(Reader(0), Reader(1)).Bounded();
        Assert.All(outcomes, o => Assert.Contains("A read lock cannot be upgraded", o, StringComparison.Ordinal));
        Assert.Equal(0, rw.CurrentReadCount);
    }

    [Fact]
    public async Task ReaderWriter_Fair_ReaderReadingAgainBehindAQueuedWriter_IsRefused()
    {
        var rw = new DetectingReaderWriterLock(new LockOptions { Name = "rw", Fairness = LockFairness.Fair, Diagnostics = _diagnostics });
        var readerHolds = new ManualResetEventSlim();
        var reader = TestThreads.Run("reader", () =>
        {
            using (rw.AcquireRead())
            {
                readerHolds.Set();
                TestThreads.Until(() => rw.WaitingCount == 1, "the writer is queued");
                return Assert.Throws<DeadlockException>(() => rw.AcquireRead());
            }
        });
        readerHolds.Wait();
        var writer = TestThreads.Run("writer", () =>
        {
            using (rw.AcquireWrite())
            {
            }
        });

        var refused = await reader.Bounded();
        await writer.Bounded();
        Assert.Equal("read lock on 'rw'", refused.Deadlock!.Cycle[0].Resource);
        Assert.Contains("queued ahead of it", refused.Deadlock.Cycle[0].Owner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Semaphore_EveryPermitHolderWaiting_IsADeadlock_ButOneFreeHolderIsNot()
    {
        var pool = new DetectingSemaphore(2, new LockOptions { Name = "pool", Diagnostics = _diagnostics });
        var bothHold = new Barrier(2);
        var refused = new int[2];

        Task Holder(int i) => TestThreads.Run($"holder-{i}", () =>
        {
            using (pool.Acquire())
            {
                Assert.True(bothHold.SignalAndWait(TestThreads.Bound));
                if (i == 1)
                {
                    TestThreads.Until(() => pool.WaitingCount == 1 && pool.IsHolderBlocked(), "holder-0 waits for a second permit");
                }

                try
                {
                    using (pool.Acquire())
                    {
                    }
                }
                catch (DeadlockException)
                {
                    refused[i]++;
                }
            }
        });

        await Task.WhenAll(Holder(0), Holder(1)).Bounded();
        Assert.Equal([0, 1], refused);

        // A waiter that holds nothing is never refused: a holder can still release.
        await TestThreads.Run("owner", () =>
        {
            var first = pool.Acquire();
            using var second = pool.Acquire();
            var waiter = TestThreads.Run("waiter", () =>
            {
                using (pool.Acquire())
                {
                }
            });
            TestThreads.Until(() => pool.WaitingCount == 1, "the waiter is queued");
            first.Dispose();
            Assert.True(waiter.Wait(TestThreads.Bound));
        }).Bounded();
        Assert.Single(_diagnostics.Reports);
    }

    [Fact]
    public async Task Timeout_RemovesTheWaiterFromTheGraph()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var diagnostics = new PitfallDiagnostics(time) { LockOrderMode = LockOrderMode.Off };
        var a = new DetectingLock(new LockOptions { Name = "A", Diagnostics = diagnostics });
        var b = new DetectingLock(new LockOptions { Name = "B", Diagnostics = diagnostics });
        var t1HoldsA = new ManualResetEventSlim();
        var t2TimedOut = new ManualResetEventSlim();
        var releaseB = new ManualResetEventSlim();

        var t1 = TestThreads.Run("t1", () =>
        {
            using (a.Acquire())
            {
                t1HoldsA.Set();
                TestThreads.Until(() => a.WaitingCount == 1 && b.IsHolderBlocked(), "t2 waits for A");
                time.Advance(TimeSpan.FromSeconds(5));
                t2TimedOut.Wait();
                Assert.Equal(0, a.WaitingCount);
                Assert.False(b.IsHolderBlocked());

                // t2's wait is gone: waiting for B now closes no cycle; it is a plain wait until t2 releases B.
                releaseB.Set();
                using (b.Acquire())
                {
                }
            }
        });
        var t2 = TestThreads.Run("t2", () =>
        {
            using (b.Acquire())
            {
                t1HoldsA.Wait();
                using var scope = a.TryAcquire(TimeSpan.FromSeconds(5));
                Assert.False(scope.IsAcquired);
                t2TimedOut.Set();
                releaseB.Wait();
                TestThreads.Until(() => b.WaitingCount == 1 || !a.IsHeld, "t1 waits for B");
            }
        });

        await Task.WhenAll(t1, t2).Bounded();
        Assert.Empty(diagnostics.Reports);
    }

    [Fact]
    public async Task Cancellation_RemovesTheWaiterFromTheGraph()
    {
        var a = NewLock("A");
        var b = NewLock("B");
        using var cancel = new CancellationTokenSource();
        var t2HoldsB = new ManualResetEventSlim();
        var t2Cancelled = new ManualResetEventSlim();
        var releaseB = new ManualResetEventSlim();
        var flowHoldsA = new ManualResetEventSlim();

        var t2 = TestThreads.Run("t2", () =>
        {
            using (b.Acquire())
            {
                t2HoldsB.Set();
                flowHoldsA.Wait();
                Assert.Throws<OperationCanceledException>(() => a.Acquire(cancel.Token));
                t2Cancelled.Set();
                releaseB.Wait();
            }
        });

        var flow = Task.Run(async () =>
        {
            using (await a.AcquireAsync())
            {
                flowHoldsA.Set();
                t2HoldsB.Wait();
                TestThreads.Until(() => a.WaitingCount == 1 && b.IsHolderBlocked(), "t2 waits for A");
                await cancel.CancelAsync();
                t2Cancelled.Wait();
                Assert.Equal(0, a.WaitingCount);
                var gettingB = b.AcquireAsync();
                Assert.False(gettingB.IsCompleted);
                releaseB.Set();
                (await gettingB).Dispose();
            }
        });

        await Task.WhenAll(flow, t2).Bounded();
        Assert.Empty(_diagnostics.Reports);
    }

    private DetectingLock NewLock(string name) => new(new LockOptions { Name = name, Diagnostics = _diagnostics });
}
