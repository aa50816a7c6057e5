using System.Diagnostics;
using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>
/// Which plain-lock waits count as an auto worker's items' waits (<see cref="BatchLockWaits"/>), fed with synthetic
/// events: no listener, no sleeps.
/// </summary>
public sealed class BatchLockWaitsTests
{
    private const int T1 = 101;
    private const int T2 = 202;
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    private static long Ticks(long timestamps) => (long)(timestamps * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));

    [Fact]
    public void AnOpenWaitWhoseEndNeverArrives_StopsGrowingWhenItsBatchEnds()
    {
        // Review-7 M2: the wait's start arrives, the worker finishes the batch and moves to another thread, and the end event
        // (sent for the old thread) never reaches it. Before, the open wait grew with wall time, without bound.
        var waits = new BatchLockWaits { On = true, CountFrom = 0 };
        waits.BatchStarted(T1);
        var began = Stopwatch.GetTimestamp();
        waits.OnWait(T1, began, -1);
        waits.BatchEnded();
        var ended = Stopwatch.GetTimestamp();
        waits.BatchStarted(T2);

        var soon = waits.TicksUntil(ended + Ms);
        var later = waits.TicksUntil(ended + (10_000 * Ms));
        Assert.Equal(soon, later);
        Assert.InRange(later, 0, Ticks(ended - began));
    }

    [Fact]
    public void AnOpenWaitInARunningBatch_CountsSoFar_AndItsEndReplacesIt()
    {
        var waits = new BatchLockWaits { On = true, CountFrom = 0 };
        waits.BatchStarted(T1);
        var began = Stopwatch.GetTimestamp();
        waits.OnWait(T1, began, -1);

        Assert.Equal(Ticks(10 * Ms), waits.TicksUntil(began + (10 * Ms)));
        Assert.Equal(Ticks(20 * Ms), waits.TicksUntil(began + (20 * Ms)));

        waits.OnWait(T1, began, TimeSpan.FromMilliseconds(3).Ticks);
        Assert.Equal(TimeSpan.FromMilliseconds(3).Ticks, waits.TicksUntil(began + (20 * Ms)));
    }

    [Fact]
    public void AWaitOnAnotherThread_DuringTheWorkersBatch_DoesNotCount()
    {
        // Review-7 S5: after the worker moved from T1 to T2, other work on T1 (the application's, another run's) is not its items'.
        var waits = new BatchLockWaits { On = true, CountFrom = 0 };
        waits.BatchStarted(T1);
        waits.BatchEnded();
        waits.BatchStarted(T2);
        var during = Stopwatch.GetTimestamp();

        waits.OnWait(T1, during, TimeSpan.FromMilliseconds(5).Ticks);
        Assert.Equal(0, waits.Ticks);

        waits.OnWait(T2, during, TimeSpan.FromMilliseconds(5).Ticks);
        Assert.Equal(TimeSpan.FromMilliseconds(5).Ticks, waits.Ticks);
    }

    [Fact]
    public void AWaitThatBeganBeforeTimingStarted_CountsOnlyFromThere()
    {
        // Review-7 S1: the time in batches is counted from the moment timing started; so are the waits.
        var waits = new BatchLockWaits { On = true };
        waits.BatchStarted(T1);
        var began = Stopwatch.GetTimestamp();
        waits.CountFrom = began + (4 * Ms);

        waits.OnWait(T1, began, TimeSpan.FromMilliseconds(10).Ticks);
        Assert.InRange(waits.Ticks, TimeSpan.FromMilliseconds(5.9).Ticks, TimeSpan.FromMilliseconds(6.1).Ticks);

        // Wholly before: nothing.
        waits.OnWait(T1, began, TimeSpan.FromMilliseconds(2).Ticks);
        Assert.InRange(waits.Ticks, TimeSpan.FromMilliseconds(5.9).Ticks, TimeSpan.FromMilliseconds(6.1).Ticks);
    }

    [Fact]
    public void ARebase_DuringAnOpenWait_CountsThatWaitFromTheRebaseOn_NeitherLostNorTwice()
    {
        // Review-10 S1: the sample's figures start again when two workers first run together. A worker queued at the lock
        // then has a wait under way; its part before the rebase must leave both the base and the later readings. Before,
        // the base held it (up to the figures' coverage) and its end event added only the part after: the waits read
        // low by each open wait's age, k times over with k workers queued.
        var waits = new BatchLockWaits { On = true, CountFrom = 0 };
        waits.BatchStarted(T1);
        var began = Stopwatch.GetTimestamp();
        waits.OnWait(T1, began, TimeSpan.FromMilliseconds(2).Ticks); // finished before the rebase: in the base
        waits.OnWait(T1, began + (2 * Ms), -1); // under way at the rebase

        var baseTicks = waits.Rebase(began + (10 * Ms));
        waits.OnWait(T1, began + (2 * Ms), TimeSpan.FromMilliseconds(28).Ticks); // ends at 30 ms: 20 ms after the rebase
        var after = waits.TicksUntil(began + (40 * Ms)) - baseTicks;

        Assert.InRange(after, TimeSpan.FromMilliseconds(19.9).Ticks, TimeSpan.FromMilliseconds(20.1).Ticks);
    }

    [Fact]
    public void AWaitOutsideEveryBatch_DoesNotCount()
    {
        // Brigade's own locks, taken between batches.
        var waits = new BatchLockWaits { On = true, CountFrom = 0 };
        waits.BatchStarted(T1);
        waits.BatchEnded();
        var between = Stopwatch.GetTimestamp() + Ms;

        waits.OnWait(T1, between, TimeSpan.FromMilliseconds(5).Ticks);
        waits.OnWait(T1, between, -1);
        Assert.Equal(0, waits.TicksUntil(between + (100 * Ms)));
    }
}
