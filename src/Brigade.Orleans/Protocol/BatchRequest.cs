
namespace Brigade.Orleans.Protocol;

/// <summary>A batch of consecutive items sent to a worker grain: the work type's name and the inputs.</summary>
[GenerateSerializer, Immutable, Alias("brigade.batch-request.v2")]
internal sealed class BatchRequest
{
    /// <summary>Gets the run the batch belongs to, so that a stop request names the run it stops.</summary>
    [Id(0)]
    public Guid RunId { get; init; }

    /// <summary>Gets the work type's full name; the silo resolves it among its own work assemblies only.</summary>
    [Id(1)]
    public string WorkType { get; init; } = "";

    /// <summary>Gets the input index of the first item, for logs.</summary>
    [Id(2)]
    public long StartIndex { get; init; }

    /// <summary>Gets the number of items.</summary>
    [Id(3)]
    public int Count { get; init; }

    /// <summary>Gets the inputs, <see cref="Count"/> values in the remote kit's encoding (<see cref="Engines.Remote.RemoteValueCodec{T}"/>,
    /// JSON with the work type's serializer); an item the engine could not serialize is an empty value, and the engine reports it.</summary>
    [Id(4)]
    public byte[] Items { get; init; } = [];

    /// <summary>Gets the run's item timeout and retry, which the silo applies to each item; <see langword="null"/> when the run
    /// has neither. It travels with every batch, not once per slot: a slot's grain may be re-activated without a new Prepare.</summary>
    [Id(5)]
    public ItemPolicyData? Policy { get; init; }
}
