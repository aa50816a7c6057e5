namespace Brigade.Sources;

/// <summary>An array: batches are slices, so taking copies nothing.</summary>
internal sealed class ArraySource<T>(T[] array) : ItemSource<T>
{
    private RangeClaim _claim;

    public override long? Count => array.Length;

    public override long Taken => _claim.Taken(array.Length);

    public override ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken)
    {
        var count = _claim.Claim(array.Length, maxCount, out var start);
        return count == 0 ? default : new ItemBatch<T>(start, new ReadOnlyMemory<T>(array, (int)start, count));
    }
}
