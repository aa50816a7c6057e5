
namespace Brigade.Orleans.Protocol;

/// <summary>What a worker grain sends back for a batch: how many items ran, their results as one JSON array, and the failures.</summary>
[GenerateSerializer, Immutable, Alias("brigade.batch-response.v2")]
internal sealed class BatchResponse
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
}
