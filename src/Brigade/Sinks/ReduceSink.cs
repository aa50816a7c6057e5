using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Brigade.Sinks;

/// <summary>
/// Folds each batch into a partial result, then combines the partials in input order, so an associative combiner
/// gives the same answer as a sequential left fold.
/// </summary>
/// <remarks>
/// The combiner is user code and may throw, inside a batch or while the partials are merged. Either way the failure
/// is charged to the items whose values it would have added (one item inside a batch; every item a partial holds when
/// merging partials), those values are left out, and the fold goes on: the run reports them as failed with the
/// combiner's exception, whatever the batch split.
/// </remarks>
internal sealed class ReduceSink<TOut>(Func<TOut, TOut, TOut> combine, Action<long, Exception, bool> reportCombineFailure) : ResultSink<TOut>
{
    // Guards _partials.
    private readonly Lock _gate = new();
    private readonly List<Partial> _partials = [];
    private (bool HasValue, TOut Value)? _merged;

    public override Memory<TOut> RentValues(long startIndex, int count) => ArrayPool<TOut>.Shared.Rent(count).AsMemory(0, count);

    public override ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken)
    {
        try
        {
            var span = values.Span;
            var f = 0;
            var has = false;
            TOut acc = default!;
            List<long>? excluded = null;
            for (var i = 0; i < ran; i++)
            {
                if (failures is not null && f < failures.Count && failures[f].Index == startIndex + i)
                {
                    f++;
                    (excluded ??= []).Add(startIndex + i);
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
                    (excluded ??= []).Add(startIndex + i);
                    reportCombineFailure(startIndex + i, e, false);
                }
            }

            if (has)
            {
                lock (_gate)
                {
                    _partials.Add(new Partial(startIndex, ran, acc, excluded));
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

    /// <summary>
    /// Merges the batches' partials in input order, once every worker has finished and before the run's report is
    /// built, so a combiner failing here is reported like one failing inside a batch. A cancel stops it between two
    /// combines (lib54: it used to merge every partial first, 1.5 s a combine for a slow one, and then throw
    /// <see cref="RunCanceledException"/> anyway); the run is then cancelled and its value is never read.
    /// </summary>
    public override void OnWorkersDone(CancellationToken cancellationToken) => Merge(cancellationToken);

    /// <summary>Gets the combined value of every item whose value was combined.</summary>
    public (bool HasValue, TOut Value) Combine() => Merge(CancellationToken.None);

    private (bool HasValue, TOut Value) Merge(CancellationToken cancellationToken)
    {
        if (_merged is { } merged)
        {
            return merged;
        }

        _partials.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var has = false;
        TOut acc = default!;
        foreach (var partial in _partials)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // Not recorded as merged: a cancelled run throws before anyone asks for the value.
                return (has, acc);
            }

            if (!has)
            {
                acc = partial.Value;
                has = true;
                continue;
            }

            try
            {
                acc = combine(acc, partial.Value);
            }
            catch (Exception e)
            {
                // The partial is left out, so every item it holds is reported with the combiner's failure: with one
                // item per batch this is exactly what a failure inside a batch reports.
                foreach (var index in partial.Indexes())
                {
                    reportCombineFailure(index, e, true);
                }
            }
        }

        _merged = (has, acc);
        return (has, acc);
    }

    // A batch's fold: the items [Start, Start + Ran) except those Excluded (failed, or their combine failed).
    private sealed record Partial(long Start, int Ran, TOut Value, List<long>? Excluded)
    {
        public IEnumerable<long> Indexes()
        {
            var e = 0;
            for (var index = Start; index < Start + Ran; index++)
            {
                if (Excluded is not null && e < Excluded.Count && Excluded[e] == index)
                {
                    e++;
                    continue;
                }

                yield return index;
            }
        }
    }
}
