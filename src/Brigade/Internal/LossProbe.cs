namespace Brigade.Internal;

/// <summary>
/// The counters a run's <see cref="Reporting.RunLosses"/> are computed from besides its workers' own figures: GC pause time
/// and contention on plain <c>lock</c> (process-wide, read at the start and end of the run), and the time the run's items
/// waited on Brigade's synchronization primitives (the run's own, from its workers' <see cref="LockWaitSink"/>s).
/// </summary>
/// <remarks>
/// <para>A reading is taken twice per run. Its contention count (<see cref="Monitor.LockContentionCount"/>) walks every thread
/// the runtime keeps, dead ones too (128 µs after 2,560 threads, see <see cref="ContentionCount"/>), so nothing that reads
/// often may use it. The GC and contention counters are process-wide: work outside the run that pauses or contends during
/// it is counted too.</para>
/// <para>Waits on Brigade's primitives are not: a wait counts for a run when it began inside one of the run's batches, on the
/// batch's thread (<see cref="EngineWorker.WaitSink"/>, current there until the batch's synchronous part ends), wherever
/// it ends. Before, the process's total was read at both ends, and a run was charged for other threads' waits (a test
/// host's other tests, the application's own use of <c>DetectingLock</c>). What a run therefore does not count: an
/// asynchronous item's waits begun after it resumed on another thread (no batch is current there); waits inside a run
/// nested in an item, which count for the innermost run only; and waits of worker processes or silos, whose batches run
/// elsewhere. Auto mode's evidence uses the same sinks, per worker, and reads the contention count through
/// <see cref="ContentionCount"/> on its ticks.</para>
/// </remarks>
/// <param name="GcPauseTicks">GC pause time.</param>
/// <param name="MonitorContentions">Plain <c>lock</c> contentions.</param>
/// <param name="LockWaitTicks">The run's waits on Brigade's primitives.</param>
/// <param name="InputWaitTicks">The run's workers' waits for an asynchronous input's next items (<see cref="EngineJob{TIn, TOut}.InputWaitTicks"/>).</param>
/// <param name="InputEndedAt">When, from the run's start, a worker first found an asynchronous input's end (<see cref="EngineJob{TIn, TOut}.InputEndedTimestamp"/>); null when unknown.</param>
internal readonly record struct LossProbe(long GcPauseTicks, long MonitorContentions, long LockWaitTicks, long InputWaitTicks = 0, TimeSpan? InputEndedAt = null)
{
    /// <summary>Reads the process-wide counters now (<see cref="LockWaitTicks"/> is the run's own, given to <see cref="Since"/>).</summary>
    public static LossProbe Read() =>
        new(GC.GetTotalPauseDuration().Ticks, Monitor.LockContentionCount, 0);

    /// <summary>Returns what the process-wide counters gained since <paramref name="start"/>, with the run's own waits.</summary>
    /// <param name="start">The reading taken when the run started.</param>
    /// <param name="lockWaitTicks">The run's items' waits on Brigade's primitives (<see cref="RunRecorder.LockWaitTicks"/>).</param>
    /// <param name="inputWaitTicks">The run's workers' waits for the input's next items.</param>
    public LossProbe Since(LossProbe start, long lockWaitTicks, long inputWaitTicks = 0) =>
        new(GcPauseTicks - start.GcPauseTicks, MonitorContentions - start.MonitorContentions, lockWaitTicks, inputWaitTicks);
}
