namespace Brigade.Internal;

/// <summary>
/// Process-wide counters read at the start and end of a run for <see cref="Reporting.RunLosses"/>: GC pause time, contention on
/// plain <c>lock</c>, and time spent waiting on Brigade's synchronization primitives.
/// </summary>
/// <remarks>
/// A reading is taken twice per run. Its contention count (<see cref="Monitor.LockContentionCount"/>) walks every thread the
/// runtime keeps, dead ones too (128 µs after 2,560 threads, see <see cref="ContentionCount"/>), so nothing that reads often
/// may use it. The counters are process-wide: work outside the run that pauses, contends or waits during it is counted
/// too. Auto mode's evidence uses neither: its items' waits on Brigade's primitives are counted per worker
/// (<see cref="LockWaitSink"/>), and its ticks read the contention count through <see cref="ContentionCount"/>.
/// </remarks>
internal readonly record struct LossProbe(long GcPauseTicks, long MonitorContentions, long LockWaitTicks)
{
    private static long _lockWaitTicks;

    /// <summary>Adds one completed wait on a Brigade primitive: to the process's total, and to the sink of the auto worker
    /// whose batch began it, if any.</summary>
    /// <param name="waited">How long it waited.</param>
    /// <param name="sink">The <see cref="LockWaitSink.Current"/> of the thread that began the wait, captured then.</param>
    public static void AddLockWait(TimeSpan waited, LockWaitSink? sink)
    {
        if (waited > TimeSpan.Zero)
        {
            Interlocked.Add(ref _lockWaitTicks, waited.Ticks);
            sink?.Add(waited.Ticks);
        }
    }

    /// <summary>Reads the counters now.</summary>
    public static LossProbe Read() =>
        new(GC.GetTotalPauseDuration().Ticks, Monitor.LockContentionCount, Volatile.Read(ref _lockWaitTicks));

    /// <summary>Returns what the counters gained since <paramref name="start"/>.</summary>
    public LossProbe Since(LossProbe start) =>
        new(GcPauseTicks - start.GcPauseTicks, MonitorContentions - start.MonitorContentions, LockWaitTicks - start.LockWaitTicks);
}
