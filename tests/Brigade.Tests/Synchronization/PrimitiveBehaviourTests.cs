using Brigade.Diagnostics;
using Brigade.Synchronization;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Synchronization;

public sealed class PrimitiveBehaviourTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PitfallDiagnostics _diagnostics;

    public PrimitiveBehaviourTests() => _diagnostics = new PitfallDiagnostics(_time);

    private DetectingLock NewLock() => new(new LockOptions { Diagnostics = _diagnostics });

    [Fact]
    public async Task Acquire_Locked_PreventsOthersUntilReleased()
    {
        var lockObject = NewLock();
        await TestThreads.Run("owner", () =>
        {
            var scope = lockObject.Acquire();
            Assert.True(lockObject.IsHeld);
            Assert.False(TestThreads.Run("other", () => lockObject.TryAcquire(TimeSpan.Zero).IsAcquired).Result);
            scope.Dispose();
            Assert.True(TestThreads.Run("other", () =>
            {
                using var s = lockObject.TryAcquire(TimeSpan.Zero);
                return s.IsAcquired;
            }).Result);
        }).Bounded();
        Assert.False(lockObject.IsHeld);
    }

    [Fact]
    public void Names_AreGeneratedWhenNotGiven()
    {
        Assert.Matches(@"^lock#\d+$", new DetectingLock().Name);
        Assert.Matches(@"^semaphore#\d+$", new DetectingSemaphore(2).Name);
        Assert.Matches(@"^rwlock#\d+$", new DetectingReaderWriterLock().Name);
        Assert.Equal("lock 'accounts'", new DetectingLock("accounts").ToString());
        Assert.Throws<ArgumentException>(() => new LockOptions { Name = " " });
    }

    [Fact]
    public void DisposingTwice_Throws_AndTheDefaultScopeIsANoOp()
    {
        var lockObject = NewLock();
        var scope = lockObject.Acquire();
        scope.Dispose();
        Assert.Throws<SynchronizationLockException>(scope.Dispose);
        default(LockScope).Dispose();
        Assert.False(default(LockScope).IsAcquired);
    }

    [Fact]
    public async Task SyncAcquisition_BelongsToItsThread_ReleasingElsewhereThrows()
    {
        var lockObject = NewLock();
        var scope = await TestThreads.Run("taker", () => lockObject.Acquire()).Bounded();
        var error = await TestThreads.Run("other", () => Assert.Throws<SynchronizationLockException>(scope.Dispose)).Bounded();
        Assert.Contains("AcquireAsync", error.Message.Replace("its async method", "AcquireAsync", StringComparison.Ordinal), StringComparison.Ordinal);

        // Released anyway (lib52: held for good before, so every later acquisition hung): Lib52/ReleasedOnAnotherThreadTests.
        Assert.False(lockObject.IsHeld);
    }

    [Fact]
    public async Task AsyncAcquisition_BelongsToTheFlow_HeldAcrossAwaitsAndReleasedOnAnotherThread()
    {
        var lockObject = NewLock();
        await Task.Run(async () =>
        {
            using (await lockObject.AcquireAsync())
            {
                await Task.Run(() => { });
                await Task.Delay(1);
                Assert.True(lockObject.IsHeld);
                Assert.StartsWith("async flow #", lockObject.CurrentOwner, StringComparison.Ordinal);
            }
        }).Bounded();

        Assert.False(lockObject.IsHeld);
    }

    [Fact]
    public async Task AcquireAsync_AgainInTheSameFlowOrATaskItStarted_IsASelfDeadlock_UnlessTheTaskIsDetached()
    {
        var lockObject = NewLock();
        using (await lockObject.AcquireAsync())
        {
            // A task started while the lock is held belongs to the holding flow (as with VS Threading's async locks).
            var child = Task.Run(async () => await lockObject.AcquireAsync());
            var refused = await Assert.ThrowsAsync<DeadlockException>(() => child.Bounded());
            Assert.Contains("ExecutionContext.SuppressFlow", refused.Message, StringComparison.Ordinal);

            var detached = TestThreads.Detached(() => lockObject.AcquireAsync().AsTask());
            TestThreads.Until(() => lockObject.WaitingCount == 1, "the detached flow waits");
            Assert.False(detached.IsCompleted);
            _ = detached.ContinueWith(t => t.Result.Dispose(), TaskScheduler.Default);
        }

        TestThreads.Until(() => !lockObject.IsHeld && lockObject.WaitingCount == 0, "the detached flow took and released it");
    }

    [Fact]
    public async Task AcquireAsync_Contended_CompletesWhenReleased()
    {
        var lockObject = NewLock();
        var first = await lockObject.AcquireAsync();
        var second = TestThreads.Detached(() => lockObject.AcquireAsync().AsTask());
        TestThreads.Until(() => lockObject.WaitingCount == 1, "the second flow waits");
        Assert.False(second.IsCompleted);
        first.Dispose();
        using (await second.Bounded())
        {
            Assert.True(lockObject.IsHeld);
        }

        Assert.Equal(0, lockObject.WaitingCount);
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_ThrowsAndLeavesTheQueue()
    {
        var lockObject = NewLock();
        using var cancel = new CancellationTokenSource();
        using (await lockObject.AcquireAsync())
        {
            var waiting = TestThreads.Detached(() => lockObject.AcquireAsync(cancel.Token).AsTask());
            TestThreads.Until(() => lockObject.WaitingCount == 1, "the other flow waits");
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Bounded());
            Assert.Equal(0, lockObject.WaitingCount);
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await lockObject.AcquireAsync(cancel.Token));
        Assert.Throws<OperationCanceledException>(() => { lockObject.Acquire(cancel.Token); });
        Assert.False(lockObject.IsHeld);
    }

    [Fact]
    public async Task TryAcquireAsync_TimesOutOnTheFakeClock()
    {
        var lockObject = NewLock();
        using (await lockObject.AcquireAsync())
        {
            var waiting = TestThreads.Detached(() => lockObject.TryAcquireAsync(TimeSpan.FromSeconds(10)).AsTask());
            TestThreads.Until(() => lockObject.WaitingCount == 1, "the other flow waits");
            _time.Advance(TimeSpan.FromSeconds(9));
            Assert.False(waiting.IsCompleted);
            _time.Advance(TimeSpan.FromSeconds(1));
            var scope = await waiting.Bounded();
            Assert.False(scope.IsAcquired);
            Assert.Equal(0, lockObject.WaitingCount);
        }
    }

    [Fact]
    public void TryAcquire_RejectsNegativeTimeouts()
    {
        var lockObject = NewLock();
        Assert.Throws<ArgumentOutOfRangeException>(() => lockObject.TryAcquire(TimeSpan.FromSeconds(-2)));
        using var scope = lockObject.TryAcquire(Timeout.InfiniteTimeSpan);
        Assert.True(scope.IsAcquired);
    }

    [Fact]
    public async Task AnInterruptedWaiter_LeavesTheQueue()
    {
        var lockObject = new DetectingLock(new LockOptions { Fairness = LockFairness.Fair, Diagnostics = _diagnostics });
        await TestThreads.Run("owner", () =>
        {
            var held = lockObject.Acquire();
            Thread? waiterThread = null;
            var waiter = TestThreads.Run("waiter", () =>
            {
                waiterThread = Thread.CurrentThread;
                Assert.Throws<ThreadInterruptedException>(() => lockObject.Acquire());
            });
            TestThreads.Until(() => lockObject.WaitingCount == 1, "the waiter is queued");
            waiterThread!.Interrupt();
            Assert.True(waiter.Wait(TestThreads.Bound));
            Assert.Equal(0, lockObject.WaitingCount);
            held.Dispose();
            Assert.False(lockObject.IsHeld);   // a fair hand-off found nobody to hand it to
        }).Bounded();
    }

    [Fact]
    public async Task MutualExclusion_ManyThreadsAndFlows_CountExactly()
    {
        var lockObject = NewLock();
        var count = 0;
        var threads = Enumerable.Range(0, 3).Select(i => TestThreads.Run($"inc-{i}", () =>
        {
            for (var j = 0; j < 20_000; j++)
            {
                using (lockObject.Acquire())
                {
                    count++;
                }
            }
        }));
        var flows = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            for (var j = 0; j < 2_000; j++)
            {
                using (await lockObject.AcquireAsync())
                {
                    count++;
                    if (j % 100 == 0)
                    {
                        await Task.Yield();
                    }
                }
            }
        }));

        await Task.WhenAll(threads.Concat(flows)).Bounded();
        Assert.Equal(66_000, count);
    }

    [Fact]
    public async Task NotDetecting_IsAPlainLock_WithoutReports()
    {
        var lockObject = new DetectingLock(new LockOptions { DetectPitfalls = false, Diagnostics = _diagnostics });
        Assert.False(lockObject.DetectsPitfalls);
        await TestThreads.Run("plain", () =>
        {
            using (lockObject.Acquire())
            {
                Assert.Null(lockObject.CurrentOwner);

                // Taking it again is not detected: it would wait forever, so only try.
                var again = TestThreads.Run("again", () => lockObject.TryAcquire(TimeSpan.FromSeconds(5)).IsAcquired);
                TestThreads.Until(() => lockObject.WaitingCount == 1, "the second taker waits");
                _time.Advance(TimeSpan.FromSeconds(5));
                Assert.True(again.Wait(TestThreads.Bound));
                Assert.False(again.Result);
            }
        }).Bounded();
        Assert.Empty(_diagnostics.Reports);
    }

    [Fact]
    public async Task Semaphore_CountsPermits()
    {
        var semaphore = new DetectingSemaphore(2, new LockOptions { Name = "pool", Diagnostics = _diagnostics });
        Assert.Equal(2, semaphore.MaxCount);
        var one = await semaphore.AcquireAsync();
        var two = await semaphore.AcquireAsync();
        Assert.Equal(0, semaphore.CurrentCount);
        var three = TestThreads.Detached(() => semaphore.AcquireAsync().AsTask());
        TestThreads.Until(() => semaphore.WaitingCount == 1, "a third flow waits");
        one.Dispose();
        (await three.Bounded()).Dispose();
        two.Dispose();
        Assert.Equal(2, semaphore.CurrentCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DetectingSemaphore(0));
    }

    [Fact]
    public async Task ReaderWriterLock_ReadersShare_WriterExcludes()
    {
        var rw = new DetectingReaderWriterLock(new LockOptions { Name = "rw", Diagnostics = _diagnostics });
        var r1 = await rw.AcquireReadAsync();
        var r2 = await rw.AcquireReadAsync();
        Assert.Equal(2, rw.CurrentReadCount);
        var writer = TestThreads.Detached(() => rw.AcquireWriteAsync().AsTask());
        TestThreads.Until(() => rw.WaitingCount == 1, "the writer waits");
        r1.Dispose();
        Assert.False(writer.IsCompleted);
        r2.Dispose();
        using (await writer.Bounded())
        {
            Assert.True(rw.IsWriteHeld);
            var reader = rw.TryAcquireReadAsync(TimeSpan.Zero);
            Assert.False((await reader).IsAcquired);
        }

        Assert.False(rw.IsWriteHeld);
    }
}
