namespace Brigade.Processes;

/// <summary>What a <see cref="ProcessEngine"/>'s pool has done since it was created.</summary>
/// <param name="LiveWorkers">Worker processes alive now, idle or busy.</param>
/// <param name="IdleWorkers">Worker processes waiting for a run.</param>
/// <param name="WorkersStarted">Worker processes started.</param>
/// <param name="WorkerCrashes">Workers that died while running items (crashes, kills, exits).</param>
/// <param name="WorkerTimeouts">Workers killed because an item exceeded <see cref="ProcessEngineOptions.ItemTimeout"/>.</param>
/// <param name="WorkersRecycled">Workers retired after <see cref="ProcessEngineOptions.MaxItemsPerWorker"/> items or above <see cref="ProcessEngineOptions.MaxWorkerMemoryBytes"/>.</param>
/// <param name="ItemsRetried">Item runs repeated because a worker died before reporting them.</param>
/// <param name="ItemsIsolated">Items reported failed because they took workers down or timed out.</param>
/// <param name="LastStartupTime">How long the last worker took from process start to its handshake.</param>
/// <param name="AverageStartupTime">The mean of that over every worker started.</param>
public sealed record ProcessEngineStatistics(
    int LiveWorkers,
    int IdleWorkers,
    long WorkersStarted,
    long WorkerCrashes,
    long WorkerTimeouts,
    long WorkersRecycled,
    long ItemsRetried,
    long ItemsIsolated,
    TimeSpan? LastStartupTime,
    TimeSpan? AverageStartupTime);
