using Brigade.Diagnostics;
using Brigade.Synchronization;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Synchronization;

public sealed class StarvationTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();
    private readonly PitfallDiagnostics _diagnostics;

    public StarvationTests() => _diagnostics = new PitfallDiagnostics(_time) { StarvationThreshold = Threshold };

    [Fact]
    public async Task UnfairReaderWriterLock_OverlappingReadersStarveAWriter_ReportNamesTheStarvedAndTheWinner()
    {
        var rw = new DetectingReaderWriterLock(new LockOptions { Name = "cache", Diagnostics = _diagnostics });
        StarvationReport? report = null;
        await TestThreads.Run("readers", () =>
        {
            // Two overlapping read grants: the lock is never free, so the writer can never get in (deterministically).
            var current = rw.AcquireRead();
            var writer = TestThreads.Run("writer", () =>
            {
                using (rw.AcquireWrite())
                {
                }
            });
            TestThreads.Until(() => rw.WaitingCount == 1, "the writer waits");
            for (var i = 0; i < 10 && report is null; i++)
            {
                var next = rw.AcquireRead();
                _time.Advance(Threshold / 4);
                current.Dispose();
                current = next;
                report = _diagnostics.Reports.OfType<StarvationReport>().SingleOrDefault();
            }

            current.Dispose();
            Assert.True(writer.Wait(TestThreads.Bound));
        }).Bounded();

        Assert.NotNull(report);
        Assert.Equal(PitfallCodes.Starvation, report.Code);
        Assert.StartsWith("Starvation detected:", report.Message, StringComparison.Ordinal);
        Assert.StartsWith("thread 'writer'", report.Starved, StringComparison.Ordinal);
        Assert.Equal("write lock on 'cache'", report.Resource);
        Assert.Equal(Threshold, report.Waited);
        Assert.Equal(4, report.GrantsToOthers);
        var winner = Assert.Single(report.Winners);
        Assert.StartsWith("thread 'readers'", winner.Holder, StringComparison.Ordinal);
        Assert.Equal(LockFairness.Unfair, report.Fairness);
        Assert.Contains("LockFairness.Fair", report.Message, StringComparison.Ordinal);
        Assert.Single(_diagnostics.Reports);
    }

    [Fact]
    public async Task FairReaderWriterLock_ServesTheWriterBeforeLaterReaders_NoStarvation()
    {
        var rw = new DetectingReaderWriterLock(new LockOptions { Name = "cache", Fairness = LockFairness.Fair, Diagnostics = _diagnostics });
        await TestThreads.Run("readers", () =>
        {
            var current = rw.AcquireRead();
            var writer = TestThreads.Run("writer", () =>
            {
                using (rw.AcquireWrite())
                {
                }
            });
            TestThreads.Until(() => rw.WaitingCount == 1, "the writer waits");
            _time.Advance(Threshold * 2);

            // A new reader no longer barges past the queued writer.
            using (var late = rw.TryAcquireRead(TimeSpan.Zero))
            {
                Assert.False(late.IsAcquired);
            }

            current.Dispose();
            Assert.True(writer.Wait(TestThreads.Bound));
        }).Bounded();

        Assert.Empty(_diagnostics.Reports);
    }

    [Fact]
    public async Task UnfairLock_AGreedyThreadStarvesAWaiter_IsReported()
    {
        // Whether a woken waiter beats a greedy thread back to a released lock is up to the OS scheduler (on Linux the
        // waiter often wins). The test decides instead: the victim is an async waiter whose retries it holds back.
        var lockObject = new DetectingLock(new LockOptions { Name = "queue", Diagnostics = _diagnostics });
        var retries = new System.Collections.Concurrent.ConcurrentQueue<IThreadPoolWorkItem>();
        lockObject.RetryScheduler = retries.Enqueue;
        StarvationReport? report = null;
        await TestThreads.Run("greedy", () =>
        {
            var held = lockObject.Acquire();
            var victim = TestThreads.Detached(async () =>
            {
                using (await lockObject.AcquireAsync())
                {
                }

                return true;
            });
            TestThreads.Until(() => lockObject.WaitingCount == 1, "the victim waits");

            // Release and take it again at once, as a greedy loop does; the clock moves while the lock is held.
            for (var i = 0; i < 10 && report is null; i++)
            {
                held.Dispose();
                held = lockObject.Acquire();
                _time.Advance(Threshold / 4);
                report = _diagnostics.Reports.OfType<StarvationReport>().FirstOrDefault();
            }

            Assert.NotEmpty(retries);   // the victim was woken, and lost every race it was allowed to run
            held.Dispose();
            while (retries.TryDequeue(out var retry))
            {
                retry.Execute();
            }

            Assert.True(victim.Wait(TestThreads.Bound));
        }).Bounded();

        Assert.NotNull(report);
        Assert.StartsWith("async flow #", report.Starved, StringComparison.Ordinal);
        Assert.Equal("lock 'queue'", report.Resource);
        Assert.Equal(Threshold, report.Waited);
        Assert.Equal(4, report.GrantsToOthers);
        Assert.StartsWith("thread 'greedy'", Assert.Single(report.Winners).Holder, StringComparison.Ordinal);
        Assert.Equal(LockFairness.Unfair, report.Fairness);
    }

    [Fact]
    public async Task KeptWinning_CountsTheGrantsOfThisWait_AndNeverTheStarvedWaiterItself()
    {
        // An async waiter whose retries are held back stays woken, so the lock wakes nobody else: the thread 'starved'
        // queued behind it is never woken. Before it waits, 'starved' itself took and released the lock while the async
        // waiter was queued, and 'greedy' won it twice: neither counts for the wait of 'starved'.
        var lockObject = new DetectingLock(new LockOptions { Name = "queue", Diagnostics = _diagnostics });
        var retries = new System.Collections.Concurrent.ConcurrentQueue<IThreadPoolWorkItem>();
        lockObject.RetryScheduler = retries.Enqueue;
        using var released = new ManualResetEventSlim();
        using var retaken = new ManualResetEventSlim();
        await TestThreads.Run("greedy", () =>
        {
            var held = lockObject.Acquire();
            var first = TestThreads.Detached(async () =>
            {
                using (await lockObject.AcquireAsync())
                {
                }

                return true;
            });
            TestThreads.Until(() => lockObject.WaitingCount == 1, "the async waiter waits");
            for (var i = 0; i < 2; i++)
            {
                held.Dispose();
                held = lockObject.Acquire();
            }

            held.Dispose();
            var starved = TestThreads.Run("starved", () =>
            {
                using (lockObject.Acquire())
                {
                }

                released.Set();
                retaken.Wait();
                using (lockObject.Acquire())
                {
                }
            });
            released.Wait();
            held = lockObject.Acquire();
            retaken.Set();
            TestThreads.Until(() => lockObject.WaitingCount == 2, "'starved' waits too");

            for (var i = 0; i < 6; i++)
            {
                held.Dispose();
                held = lockObject.Acquire();
                _time.Advance(Threshold / 4);
            }

            held.Dispose();
            while (retries.TryDequeue(out var retry))
            {
                retry.Execute();
            }

            Assert.True(first.Wait(TestThreads.Bound));
            Assert.True(starved.Wait(TestThreads.Bound));
        }).Bounded();

        var report = Assert.Single(_diagnostics.Reports.OfType<StarvationReport>(), r => r.Starved.StartsWith("thread 'starved'", StringComparison.Ordinal));
        Assert.Equal(4, report.GrantsToOthers);
        var winner = Assert.Single(report.Winners);
        Assert.StartsWith("thread 'greedy'", winner.Holder, StringComparison.Ordinal);
        Assert.Equal(4, winner.Grants);
        Assert.DoesNotContain("'starved' ×", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FairLock_HandsTheLockToTheWaiterOnRelease_NoStarvation()
    {
        var lockObject = new DetectingLock(new LockOptions { Name = "queue", Fairness = LockFairness.Fair, Diagnostics = _diagnostics });
        var victimGotIt = new ManualResetEventSlim();
        var victimMayRelease = new ManualResetEventSlim();
        await TestThreads.Run("greedy", () =>
        {
            var held = lockObject.Acquire();
            var victim = TestThreads.Run("victim", () =>
            {
                using (lockObject.Acquire())
                {
                    victimGotIt.Set();
                    victimMayRelease.Wait();
                }
            });
            TestThreads.Until(() => lockObject.WaitingCount == 1, "the victim waits");
            _time.Advance(Threshold * 2);
            held.Dispose();

            // Handed off inside Dispose: the greedy thread cannot take it back.
            Assert.StartsWith("thread 'victim'", lockObject.CurrentOwner, StringComparison.Ordinal);
            using (var again = lockObject.TryAcquire(TimeSpan.Zero))
            {
                Assert.False(again.IsAcquired);
            }

            victimGotIt.Wait();
            victimMayRelease.Set();
            Assert.True(victim.Wait(TestThreads.Bound));
        }).Bounded();

        Assert.Empty(_diagnostics.Reports);
    }

    [Fact]
    public async Task FairLock_GrantsInArrivalOrder()
    {
        var lockObject = new DetectingLock(new LockOptions { Fairness = LockFairness.Fair, Diagnostics = _diagnostics });
        var order = new List<int>();
        await TestThreads.Run("owner", () =>
        {
            var held = lockObject.Acquire();
            var waiters = new List<Task>();
            for (var i = 0; i < 5; i++)
            {
                var me = i;
                waiters.Add(TestThreads.Run($"waiter-{me}", () =>
                {
                    using (lockObject.Acquire())
                    {
                        order.Add(me);
                    }
                }));
                TestThreads.Until(() => lockObject.WaitingCount == me + 1, $"waiter {me} is queued");
            }

            held.Dispose();
            Assert.True(Task.WaitAll([.. waiters], TestThreads.Bound));
        }).Bounded();

        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task Threshold_Infinite_TurnsStarvationReportsOff()
    {
        _diagnostics.StarvationThreshold = Timeout.InfiniteTimeSpan;
        var rw = new DetectingReaderWriterLock(new LockOptions { Diagnostics = _diagnostics });
        await TestThreads.Run("readers", () =>
        {
            var current = rw.AcquireRead();
            var writer = TestThreads.Run("writer", () => rw.AcquireWrite().Dispose());
            TestThreads.Until(() => rw.WaitingCount == 1, "the writer waits");
            for (var i = 0; i < 10; i++)
            {
                var next = rw.AcquireRead();
                _time.Advance(Threshold);
                current.Dispose();
                current = next;
            }

            current.Dispose();
            Assert.True(writer.Wait(TestThreads.Bound));
        }).Bounded();

        Assert.Empty(_diagnostics.Reports);
    }
}
