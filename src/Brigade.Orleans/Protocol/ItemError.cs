
namespace Brigade.Orleans.Protocol;

/// <summary>One failed item of a batch: its offset within the batch and the exception, as data.</summary>
[GenerateSerializer, Immutable, Alias("brigade.item-error.v1")]
internal sealed class ItemError
{
    /// <summary>Gets the item's offset within its batch.</summary>
    [Id(0)]
    public int Offset { get; init; }

    /// <summary>Gets the exception the work threw.</summary>
    [Id(1)]
    public RemoteError Error { get; init; } = new();
}
