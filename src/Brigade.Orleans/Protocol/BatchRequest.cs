
namespace Brigade.Orleans.Protocol;

/// <summary>A batch of consecutive items sent to a worker grain: the work type's name and the inputs as one JSON array.</summary>
[GenerateSerializer, Immutable, Alias("brigade.batch-request.v1")]
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

    /// <summary>Gets the inputs: a UTF-8 JSON array of <see cref="Count"/> elements, serialized with the work type's serializer.</summary>
    [Id(4)]
    public byte[] Items { get; init; } = [];

    /// <summary>Gets the offsets of items the client could not serialize (sent as <c>null</c>): the silo skips them.</summary>
    [Id(5)]
    public int[]? Skip { get; init; }
}
