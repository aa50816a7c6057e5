using Microsoft.Extensions.Logging;

namespace Brigade.Orleans.Dispatch;

/// <summary>The cluster engine's logs, with stable event ids (71xx).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "Brigade cluster run {RunId}: {Plan}")]
    public static partial void RunPlanned(ILogger logger, Guid runId, string plan);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Warning, Message = "Brigade cluster run {RunId}: silo {Silo} left the cluster; its unfinished batches go to the other silos")]
    public static partial void SiloLost(ILogger logger, Guid runId, string silo);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Warning, Message = "Brigade cluster run {RunId}: {Batch} failed on silo {Silo} (attempt {Attempt}), sent again: {Reason}")]
    public static partial void BatchRetried(ILogger logger, Guid runId, string batch, string silo, int attempt, string reason);

    [LoggerMessage(EventId = 7113, Level = LogLevel.Error, Message = "Brigade cluster run {RunId}: item {Index} failed on every attempt: {Attempts}")]
    public static partial void ItemAbandoned(ILogger logger, Guid runId, long index, string attempts);

    [LoggerMessage(EventId = 7114, Level = LogLevel.Warning, Message = "Brigade cluster run {RunId}: silo {Silo} left out of the run: {Reason}")]
    public static partial void SiloSkipped(ILogger logger, Guid runId, string silo, string reason);

    [LoggerMessage(EventId = 7115, Level = LogLevel.Debug, Message = "Brigade cluster run {RunId}: membership check failed; trying again at the next interval")]
    public static partial void MembershipCheckFailed(ILogger logger, Guid runId, Exception exception);

    [LoggerMessage(EventId = 7117, Level = LogLevel.Warning, Message = "Brigade cluster run {RunId}: silo {Silo} has not answered for {Seconds:0.#} s; its unfinished batches go to the other silos")]
    public static partial void SiloUnresponsive(ILogger logger, Guid runId, string silo, double seconds);

    [LoggerMessage(EventId = 7118, Level = LogLevel.Error, Message = "Brigade cluster run {RunId}: {Reason}")]
    public static partial void RunStalled(ILogger logger, Guid runId, string reason);

    [LoggerMessage(EventId = 7119, Level = LogLevel.Warning, Message = "Brigade cluster run {RunId}: {Step} failed after the run's end; the run's outcome stands")]
    public static partial void CleanUpFailed(ILogger logger, Guid runId, string step, Exception exception);

    [LoggerMessage(EventId = 7120, Level = LogLevel.Warning, Message = "Brigade cluster run {RunId}: silo {Silo} runs the run's items with another build: {Reason}")]
    public static partial void OtherBuild(ILogger logger, Guid runId, string silo, string reason);

    [LoggerMessage(EventId = 7116, Level = LogLevel.Debug, Message = "Brigade cluster run {RunId}: stop request not delivered to silo {Silo}")]
    public static partial void StopNotDelivered(ILogger logger, Guid runId, string silo, Exception exception);
}
