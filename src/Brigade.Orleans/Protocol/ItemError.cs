namespace Brigade.Orleans.Protocol;

/// <summary>One failed item of a batch: its offset within the batch, the exception as data, and how many times it was tried.</summary>
[GenerateSerializer, Immutable, Alias("brigade.item-error.v1")]
internal sealed class ItemError
{
    /// <summary>Gets the item's offset within its batch.</summary>
    [Id(0)]
    public int Offset { get; init; }

    /// <summary>Gets the exception the work threw (the last attempt's).</summary>
    [Id(1)]
    public RemoteErrorData Error { get; init; } = new();

    /// <summary>Gets how many times the item was tried, under the run's <see cref="BatchRequest.Policy"/>; 0 reads as 1.</summary>
    [Id(2)]
    public int Attempts { get; init; }
}
