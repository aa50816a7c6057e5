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
        ThrowDeferredFailure();
        var count = _claim.Claim(_length, maxCount, out var start);
        if (count == 0)
        {
            return default;
        }

        var items = new T[count];
        var read = 0;
        try
        {
            if (list is List<T> concrete)
            {
                // Throws (nothing read) when the list shrank under the run.
                CollectionsMarshal.AsSpan(concrete).Slice((int)start, count).CopyTo(items);
                read = count;
            }
            else
            {
                for (; read < count; read++)
                {
                    items[read] = list[(int)start + read];
                }
            }
        }
        catch (Exception e)
        {
            // As with a sequence that throws (review 34d): the items read before the failure are handed out and run, the
            // rest of the claimed range is not run (it was neither run nor counted anywhere), and no range is claimed after.
            _claim.Fail(count, read);
            if (read == 0)
            {
                throw;
            }

            DeferFailure(e);
            return new ItemBatch<T>(start, new ReadOnlyMemory<T>(items, 0, read));
        }

        return new ItemBatch<T>(start, items);
    }
}
