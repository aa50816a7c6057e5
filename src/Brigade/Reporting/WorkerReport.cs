namespace Brigade.Reporting;

/// <summary>What one worker of a run did.</summary>
/// <param name="Id">The worker's 0-based id within the run.</param>
/// <param name="Name">A readable name, such as <c>thread 3</c> or <c>process 4242</c>.</param>
/// <param name="Location">Where the worker ran, when that is not this process: a process id or a silo address.</param>
/// <param name="Batches">How many batches it ran.</param>
/// <param name="Items">How many items it ran.</param>
/// <param name="Failed">How many of its items failed.</param>
/// <param name="BusyTime">Wall time spent running batches.</param>
/// <param name="CpuTime">CPU time spent running batches, when it could be measured for every batch, including what its
/// items reported using outside their thread (<see cref="Auto.ExternalCpuTime"/>: the child processes they waited for).</param>
public sealed record WorkerReport(
    int Id,
    string Name,
    string? Location,
    long Batches,
    long Items,
    long Failed,
    TimeSpan BusyTime,
    TimeSpan? CpuTime)
{
    /// <summary>Gets when the worker's batches ran and how long its thread waited for a core, for <see cref="RunReport.Losses"/>.</summary>
    internal WorkerTiming? Timing { get; init; }

    /// <summary>Gets how long a worker elsewhere said its thread waited for a core in its batches
    /// (protocol 7), or null when it measured none: not in <see cref="Timing"/>, which the run's losses read, but the part
    /// of <see cref="BusyTime"/> that one worker on an idle machine would not have spent (brigade advise's measured speedup).</summary>
    internal TimeSpan? RemoteRunQueueWait { get; init; }

    /// <summary>Gets how long a worker elsewhere (a worker process) (a worker process, or a silo's worker) said it spent on its batches, its own wall without the
    /// transport and the host's waits that <see cref="BusyTime"/> holds, or null when it reported none.</summary>
    internal TimeSpan? RemoteBusy { get; init; }
}
