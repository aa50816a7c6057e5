using System.Diagnostics;

namespace Brigade.Internal;

/// <summary>
/// The runtime's count of contended <c>lock</c> entries (<see cref="Monitor.LockContentionCount"/>), read per batch at a
/// bounded cost.
/// </summary>
/// <remarks>
/// The runtime sums the count over every thread it still keeps, under its thread-store lock, and a thread that exited stays
/// kept until a collection finds its <see cref="Thread"/> object dead: measured on .NET 10, 2 cores, a read cost 0.7 µs in a
/// fresh process, 12 µs after 512 threads had run and exited, 128 µs after 2,560 (a full collection brought it back to
/// 0.1 µs). Workers read it at both ends of every measured batch, so in a process that had run wide <c>threads</c> runs each
/// item of a later run paid hundreds of microseconds of CPU for it, and every worker queued on that lock
/// (docs/performance.md, "Forecast, round 8"); auto mode's controller reads it at every tick too (every millisecond while
/// sampling). Here a real read happens at most once a millisecond (with a cheap read,
/// at most once per hundred times its cost); between reads, callers get the last value. A batch longer than that
/// interval still gets a real reading at its end, so it sees the contention during it (a lock wait shorter than a
/// millisecond or so may be missed, and its time then reads as blocking). Not a bound on the share of a core once a read
/// costs more than 10 µs (thousands of dead threads): there the attribution of lock waits was kept over the cost,
/// which is one read a millisecond instead of two per batch of every worker.
/// </remarks>
internal static class ContentionCount
{
    private static readonly ThrottledReader Reader = new(static () => Monitor.LockContentionCount, Stopwatch.GetTimestamp, Stopwatch.Frequency);

    /// <summary>Returns the runtime's contention count as read at most a bounded time ago.</summary>
    public static long Read() => Reader.Read();

    /// <summary>Reads the runtime's contention count now, at full cost: for a reading once per run (its start and end).</summary>
    public static long ReadNow() => Monitor.LockContentionCount;
}
