using System.Runtime.InteropServices;

namespace Brigade.Sources;

/// <summary>An <see cref="IList{T}"/>: ranges are claimed without a lock and copied into the batch.</summary>
internal sealed class ListSource<T>(IList<T> list) : ItemSource<T>
{
    private readonly long _length = list.Count;
    private RangeClaim _claim;

    public override long? Count => _length;

    public override long Taken => _claim.Taken(_length);

    public override ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken)
    {
        var count = _claim.Claim(_length, maxCount, out var start);
        if (count == 0)
        {
            return default;
        }

        T[] items;
        if (list is List<T> concrete)
        {
            items = CollectionsMarshal.AsSpan(concrete).Slice((int)start, count).ToArray();
        }
        else
        {
            items = new T[count];
            for (var i = 0; i < count; i++)
            {
                items[i] = list[(int)start + i];
            }
        }

        return new ItemBatch<T>(start, items);
    }
}
