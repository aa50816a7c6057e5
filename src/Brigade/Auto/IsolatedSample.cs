using Brigade.Engines.Remote;
using Brigade.Reporting;

namespace Brigade.Auto;

/// <summary>What one worker of an isolated engine (worker processes) measured, as auto mode's sample.</summary>
internal static class IsolatedSample
{
    /// <summary>The sample of one worker's batches: its CPU (the worker process's), against the time the worker itself
    /// spent on them where the engine reports it.</summary>
    /// <param name="report">The worker's report: its busy time is the host's, from sending a batch to its results' arrival.</param>
    /// <param name="worker">The time the worker process spent on the same batches and its wait for a core in it, or
    /// <see langword="null"/> when unknown.</param>
    public static WorkSample Of(WorkerReport report, RemoteWorkerTime? worker)
    {
        if (report.Batches == 0 || report.CpuTime is not { } cpu)
        {
            return default;
        }

        // The host's busy time runs from sending a batch to its results' arrival: the pipe, the encoding at both ends and
        // the worker's wait for its next batch are in it, while the CPU is the worker process's on the batch alone. Set
        // against it, CPU-bound work read as waiting (advise64: SquareWork, cpu/wall 0.20, "blocking I/O"). The worker's
        // own time on the batches is the wall its CPU belongs to; the host's stays the batches' wall (their cost here).
        var own = report.BusyTime;
        var runQueue = 0L;
        if (worker is { Busy: var busy, RunQueueWait: var wait } && busy > TimeSpan.Zero)
        {
            own = busy;

            // The worker's own time holds its waits for a core: on a loaded machine CPU-bound work on worker processes
            // read "mixed" (review 65: cpu/wall 0.37-0.45 at load 8-16 on 2 cores), as it would on threads without their
            // run-queue wait. It is the sample's run-queue wait, as a thread's is (WorkSample.WaitTicks and TimePerItem
            // leave it out).
            runQueue = Math.Clamp(wait?.Ticks ?? 0, 0, busy.Ticks);
        }

        return new WorkSample
        {
            Items = report.Items,
            Batches = report.Batches,
            WallTicks = report.BusyTime.Ticks,
            MeasuredItems = report.Items,
            MeasuredBatches = report.Batches,
            MeasuredWallTicks = own.Ticks,
            CpuTicks = cpu.Ticks,
            RunQueueTicks = runQueue,
        };
    }
}
