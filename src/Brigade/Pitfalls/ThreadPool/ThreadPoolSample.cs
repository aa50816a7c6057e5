namespace Brigade.Diagnostics;

/// <summary>One reading of the .NET thread pool, as <see cref="ThreadPoolStarvationMonitor"/> takes it.</summary>
/// <param name="Time">When it was taken.</param>
/// <param name="QueueLength">Work items queued and not started (<see cref="ThreadPool.PendingWorkItemCount"/>).</param>
/// <param name="CompletedWorkItems">Work items completed since the process started (<see cref="ThreadPool.CompletedWorkItemCount"/>).</param>
/// <param name="ThreadCount">Thread-pool threads (<see cref="ThreadPool.ThreadCount"/>).</param>
/// <param name="ProcessCpuTime">CPU time of the process so far (<see cref="Environment.CpuUsage"/>).</param>
/// <param name="PoolBusyTime">How long the pool's worker threads ran or were ready to run so far (CPU time plus run-queue
/// wait, summed over workers: <see cref="PoolThreadActivity"/>); null where it cannot be measured.</param>
internal readonly record struct ThreadPoolSample(DateTimeOffset Time, long QueueLength, long CompletedWorkItems, int ThreadCount, TimeSpan ProcessCpuTime, TimeSpan? PoolBusyTime = null);
