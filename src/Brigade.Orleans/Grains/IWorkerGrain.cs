using Brigade.Orleans.Protocol;
using Orleans.Concurrency;

namespace Brigade.Orleans.Grains;

/// <summary>
/// One worker slot of one run of the cluster engine: a grain pinned to one silo (its key names the silo) that runs one
/// batch at a time.
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

    /// <summary>Says whether the batch starting at <paramref name="startIndex"/> is running, finished (and how long ago), or was never seen.</summary>
    /// <remarks>A response can be lost without the silo leaving (one too large for the message size limit is dropped):
    /// the engine asks this about batches in flight for long, and sends again a batch finished long ago whose response never came.</remarks>
    [Alias("progress")]
    [AlwaysInterleave]
    Task<BatchProgress> ProgressAsync(Guid runId, long startIndex);

    /// <summary>Lets the grain go when the run is over: its activation is collected as soon as it is idle.</summary>
    /// <remarks>Answered (not one-way), so that a client exiting right after its run knows the silo heard it.</remarks>
    [Alias("release")]
    Task ReleaseAsync();

    /// <summary>Stops the running batch of <paramref name="runId"/> before its next item; the batch then returns what ran.</summary>
    [Alias("stop")]
    [AlwaysInterleave]
    [OneWay]
    Task StopAsync(Guid runId);
}
