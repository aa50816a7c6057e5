namespace Brigade.Reporting;

/// <summary>When one worker's batches ran, measured from the start of the run: what <see cref="RunLosses"/> needs beyond its busy time.</summary>
/// <param name="FirstStart">When its first batch started.</param>
/// <param name="LastStart">When its last batch started.</param>
/// <param name="LastEnd">When its last batch ended.</param>
/// <param name="LastFirstIndex">The input index of its last batch's first item.</param>
/// <param name="LastCount">How many items its last batch ran.</param>
/// <param name="RunQueueWait">How long its threads waited for a core between its first batch's start and its last
/// batch's end, scaled up from the stretches measured, plus the wait its items reported for work outside their thread
/// (<see cref="ExternalRunQueue"/>); null when neither was measured (not Linux, remote batches, or under a millisecond of
/// batches).</param>
/// <param name="ContendedOffCpu">Off-CPU time of its measured batches during which the runtime counted contention on a
/// plain <c>lock</c>: the most those waits can have cost.</param>
internal readonly record struct WorkerTiming(
    TimeSpan FirstStart,
    TimeSpan LastStart,
    TimeSpan LastEnd,
    long LastFirstIndex,
    int LastCount,
    TimeSpan? RunQueueWait,
    TimeSpan ContendedOffCpu)
{
    /// <summary>Gets the CPU time its items reported using outside their thread (<see cref="Auto.ExternalCpuTime"/>: a
    /// child process), included in the worker's <see cref="WorkerReport.CpuTime"/>.</summary>
    public TimeSpan ExternalCpu { get; init; }

    /// <summary>Gets the time that outside work reported waiting for a core, included in <see cref="RunQueueWait"/>.</summary>
    public TimeSpan ExternalRunQueue { get; init; }

    /// <summary>Gets how long the worker's thread waited for a core from the worker's start (its loop's, or a dedicated
    /// thread's own start) to its first batch, not in <see cref="RunQueueWait"/>: on a busy machine a new worker's thread
    /// can wait long for its first turn on a core, which is the machine's doing, not start-up cost (zero when not measured:
    /// not Linux, remote workers, or a first batch on another thread than the worker's start).</summary>
    public TimeSpan StartRunQueue { get; init; }
}
