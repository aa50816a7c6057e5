using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Brigade.Sinks;

/// <summary>
/// Folds each batch into a partial result, then combines the partials in input order, so an associative combiner
/// gives the same answer as a sequential left fold.
/// </summary>
internal sealed class ReduceSink<TOut>(Func<TOut, TOut, TOut> combine, Action<long, Exception> reportCombineFailure) : ResultSink<TOut>
{
    // Guards _partials.
    private readonly Lock _gate = new();
    private readonly List<(long Start, TOut Partial)> _partials = [];

    public override Memory<TOut> RentValues(long startIndex, int count) => ArrayPool<TOut>.Shared.Rent(count).AsMemory(0, count);

    public override ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken)
    {
        try
        {
            var span = values.Span;
            var f = 0;
            var has = false;
            TOut acc = default!;
            for (var i = 0; i < ran; i++)
            {
                if (failures is not null && f < failures.Count && failures[f].Index == startIndex + i)
                {
                    f++;
                    continue;
                }

                if (!has)
                {
                    acc = span[i];
                    has = true;
                    continue;
                }

                try
                {
                    acc = combine(acc, span[i]);
                }
                catch (Exception e)
                {
                    // The combiner is user code: its failure is charged to the item it was combining, like a work failure.
                    reportCombineFailure(startIndex + i, e);
                }
            }

            if (has)
            {
                lock (_gate)
                {
                    _partials.Add((startIndex, acc));
                }
            }
        }
        finally
        {
            if (MemoryMarshal.TryGetArray<TOut>(values, out var segment) && segment.Array is { } array)
            {
                ArrayPool<TOut>.Shared.Return(array, RuntimeHelpers.IsReferenceOrContainsReferences<TOut>());
            }
        }

        return ValueTask.CompletedTask;
    }

    public (bool HasValue, TOut Value) Combine()
    {
        _partials.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        if (_partials.Count == 0)
        {
            return (false, default!);
        }

        var acc = _partials[0].Partial;
        for (var i = 1; i < _partials.Count; i++)
        {
            acc = combine(acc, _partials[i].Partial);
        }

        return (true, acc);
    }
}
