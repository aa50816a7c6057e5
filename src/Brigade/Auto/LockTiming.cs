namespace Brigade.Auto;

/// <summary>How a sample knows its items' waits on plain <c>lock</c> (see <see cref="WorkSample.LockTiming"/>).</summary>
/// <remarks>Ordered from least to most known: a sum or difference of samples knows what both of them know.</remarks>
internal enum LockTiming
{
    /// <summary>Counted only (<see cref="Monitor.LockContentionCount"/>): the platform cannot time them per thread (no OS thread
    /// ids, or no runtime event sources).</summary>
    Counted = 0,

    /// <summary>They will be timed, but timing was not on for the whole sample yet (the listener starts when a run first
    /// contends): neither timed nor to be judged by counts, which cannot tell the items' locks from Brigade's own.</summary>
    Pending = 1,

    /// <summary>Timed on the run's worker threads from the runtime's contention events (<c>ContentionStop</c>'s duration).</summary>
    Timed = 2,
}
