using Brigade.Orleans.Protocol;
using Orleans.Concurrency;

namespace Brigade.Orleans.Grains;

/// <summary>
/// One worker slot of the cluster engine: a grain pinned to one silo (its key names the silo) that runs one batch at a
/// time.
/// </summary>
[Alias("brigade.worker.v1")]
internal interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Describes the silo and checks that it can run a work type, before any item is sent.</summary>
    [Alias("prepare")]
    Task<PrepareResponse> PrepareAsync(PrepareRequest request);

    /// <summary>Runs a batch. The token is cancelled by the engine only when the silo has left the cluster.</summary>
    /// <remarks>Batches are sized to take milliseconds, but one item may run for hours: the response timeout is a day,
    /// and a silo that dies is noticed through cluster membership instead.</remarks>
    [Alias("run")]
    [ResponseTimeout("1.00:00:00")]
    Task<BatchResponse> RunAsync(BatchRequest request, CancellationToken cancellationToken);

    /// <summary>Stops the running batch of <paramref name="runId"/> before its next item; the batch then returns what ran.</summary>
    [Alias("stop")]
    [AlwaysInterleave]
    [OneWay]
    Task StopAsync(Guid runId);
}
