namespace Brigade.Engines.Remote;

/// <summary>
/// What a worker elsewhere (a worker process) reported of its own time on a worker's batches: the wall it spent on them,
/// and how much of that its thread waited in the run queue for a core (when it measured it).
/// </summary>
/// <param name="Busy">The worker's own wall on the batches, without the transport the host's busy time holds.</param>
/// <param name="RunQueueWait">The part of <paramref name="Busy"/> the worker's thread spent ready but waiting for a core
/// (Linux, synchronous work), or <see langword="null"/> when not measured.</param>
internal readonly record struct RemoteWorkerTime(TimeSpan Busy, TimeSpan? RunQueueWait)
{
    /// <summary>A worker's busy time alone, its wait for a core unknown (an engine that reports only that).</summary>
    public static implicit operator RemoteWorkerTime(TimeSpan busy) => new(busy, null);
}
