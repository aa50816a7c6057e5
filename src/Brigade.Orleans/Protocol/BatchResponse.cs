
namespace Brigade.Orleans.Protocol;

/// <summary>What a worker grain sends back for a batch: how many items ran, their results as one JSON array, and the failures.
/// A record, so that a copy with one field changed (<c>with</c>) cannot forget a field added later.</summary>
[GenerateSerializer, Immutable, Alias("brigade.batch-response.v2")]
internal sealed record BatchResponse
{
    /// <summary>Gets the address of the silo that ran the batch, as reports show it (<c>host:port</c>).</summary>
    [Id(0)]
    public string Silo { get; init; } = "";

    /// <summary>Gets how many items, from the start of the batch, finished (succeeded or failed); the rest were not started.</summary>
    [Id(1)]
    public int Ran { get; init; }

    /// <summary>Gets the results of the items that ran and did not fail, in order, in the remote kit's encoding
    /// (<see cref="Engines.Remote.RemoteValueCodec{T}"/>); empty when none did.</summary>
    [Id(2)]
    public byte[] Results { get; init; } = [];

    /// <summary>Gets the failed items, by offset within the batch.</summary>
    [Id(3)]
    public ItemError[]? Errors { get; init; }

    /// <summary>Gets the CPU time the batch used on the silo, in ticks, or -1 when it could not be measured.</summary>
    [Id(4)]
    public long CpuTicks { get; init; } = -1;

    /// <summary>Gets why the silo refused the batch (the work type is unknown there), or <see langword="null"/>.</summary>
    [Id(5)]
    public string? Rejected { get; init; }

    /// <summary>Gets the silo's own wall-clock time on the batch's items (from the first item's start to the results
    /// encoded), in ticks, or -1 when it did not say (a silo older than this field): what the batch took beyond it, seen
    /// from the engine, is serialization, transport and the engine's reading of the results (the losses' overhead).</summary>
    [Id(6)]
    public long ElapsedTicks { get; init; } = -1;

    /// <summary>Gets how long the silo's thread that ran the batch waited for a core in <see cref="ElapsedTicks"/>, in
    /// ticks, or -1 when not measured (asynchronous work, whose items run on whatever threads their continuations find;
    /// systems other than Linux; an older silo).</summary>
    [Id(7)]
    public long RunQueueTicks { get; init; } = -1;
}
