namespace Brigade.Reporting;

/// <summary>One batch on a run's timeline: which worker ran which items, and when.</summary>
/// <param name="WorkerId">The worker that ran the batch (0-based within the run).</param>
/// <param name="FirstIndex">The input index of the batch's first item.</param>
/// <param name="Count">How many items the batch ran.</param>
/// <param name="Failed">How many of them failed.</param>
/// <param name="Start">When the batch started, measured from the start of the run.</param>
/// <param name="Duration">How long the batch took.</param>
/// <param name="CpuTime">The CPU time the batch used, when it could be measured: its thread's, plus what its items reported
/// using outside it through <see cref="Auto.ExternalCpuTime"/> (the child processes they waited for).</param>
public readonly record struct TimelineEvent(
    int WorkerId,
    long FirstIndex,
    int Count,
    int Failed,
    TimeSpan Start,
    TimeSpan Duration,
    TimeSpan? CpuTime)
{
    /// <summary>Gets when the batch ended, measured from the start of the run.</summary>
    public TimeSpan End => Start + Duration;
}
