using Brigade.Reporting;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Reporting;

/// <summary>
/// <see cref="PlainLockWaits.Waited"/> when the runtime counted far more contentions in a window than wait events arrived
/// for it (the runtime drops events when the listener cannot keep up): the window is not timed, rather than timed at the
/// few waits that arrived. Before, a run whose events were lost read 0 ms of lock waits (seen once in CI).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PlainLockWaitsLossTests
{
    [Fact]
    public void Waited_FewerEventsThanCounted_IsNotTimed()
    {
        Assert.True(RunLosses.StartTimingPlainLocks());
        var start = DateTime.UtcNow;
        var before = Monitor.LockContentionCount;
        Contend(times: 5);
        var counted = Monitor.LockContentionCount - before;
        var end = DateTime.UtcNow;

        // The waits that happened are all there: timed, as the runtime counted them.
        Assert.InRange(counted, 5, 1000);
        Assert.True(PlainLockWaits.Waited(start, end, counted) > TimeSpan.Zero);

        // Counted many times over what arrived: events were lost, the window is not timed.
        Assert.Null(PlainLockWaits.Waited(start, end, counted * 10));

        // Unknown counts are taken as contended, as before; a count of 0 is no wait.
        Assert.True(PlainLockWaits.Waited(start, end, -1) > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, PlainLockWaits.Waited(start, end, 0));
    }

    [Theory]
    [InlineData(0, 3, false)] // too few counted to tell
    [InlineData(0, 4, true)]
    [InlineData(2, 4, false)] // half arrived: the window's edges can shift a few
    [InlineData(1, 4, true)]
    [InlineData(79, 80, false)]
    [InlineData(0, -1, false)] // not known
    public void IsShort_HalfOrMoreArrived(long arrived, long counted, bool expected) =>
        Assert.Equal(expected, PlainLockWaits.IsShort(arrived, counted));

    // Each of `times` rounds: a thread holds a lock while this one waits for it, until the runtime has counted this wait and
    // 5 ms more. (It held it 5 ms only: at load, this thread reached the lock after the holder had let go, and a round
    // counted no contention: 4 of 5, async63's run.)
    private static void Contend(int times)
    {
        var gate = new object();
        for (var i = 0; i < times; i++)
        {
            using var held = new ManualResetEventSlim();
            var before = Monitor.LockContentionCount;
            var waiter = Thread.CurrentThread;
            var holder = new Thread(() =>
            {
                lock (gate)
                {
                    held.Set();

                    // Bounded: were it never so, the count asserted below says so.
                    SpinWait.SpinUntil(() => Monitor.LockContentionCount > before && (waiter.ThreadState & ThreadState.WaitSleepJoin) != 0, TimeSpan.FromSeconds(30));
                    Thread.Sleep(5);
                }
            });
            holder.Start();
            held.Wait();
            lock (gate)
            {
            }

            holder.Join();
        }
    }
}
