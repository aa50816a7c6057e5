using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Brigade.Sinks;

/// <summary>
/// Folds each batch into a partial result, then combines the partials in input order, so an associative combiner
/// gives the same answer as a sequential left fold.
/// </summary>
/// <remarks>
/// <para>The partials are merged as the batches arrive: the batch that continues the merged prefix is combined at once
/// (by the worker that delivered it, or by the one already merging), and a batch that finished ahead of its turn waits,
/// with its values while at most <see cref="HeldValuesLimit"/> values wait. Whatever is left (batches behind items never
/// taken) is merged once every worker has finished.</para>
/// <para>The combiner is user code and may throw. Its failure is charged as a left fold item by item would charge it,
/// whatever the batch split (review 62): the item whose value was being added to everything before it. When a combine
/// inside a batch throws, the batch's fold is not used: at its turn its values are folded one by one onto the merged
/// prefix. When merging a batch's partial throws, the same: its values are folded one by one. Before review 62 a batch
/// that began with the offending value charged every later item of the batch, and a partial the combiner refused
/// charged every item it held (50 failures for one at <c>BatchSize = 50</c>). The values are not available again when
/// the batch waited while <see cref="HeldValuesLimit"/> values already waited, or when the combiner returns one of its
/// arguments (it may have changed it in place, so the batch's first value may already hold the batch's fold): then a
/// failure inside the batch is charged to the item it was adding, and a refused partial to every item it holds, each with
/// an <see cref="InvalidOperationException"/> that says so (the combiner's exception is its inner exception): a failure in
/// an in-place merge cannot be undone, nor the fold taken apart (lib63).</para>
/// </remarks>
internal sealed class ReduceSink<TOut>(Func<TOut, TOut, TOut> combine, Action<long, Exception, bool> reportCombineFailure) : ResultSink<TOut>
{
    /// <summary>The most values kept, across batches waiting for their turn, to fold again item by item if needed.</summary>
    internal const int HeldValuesLimit = 4096;

    // Guards _waiting, _next, _merging and _held.
    private readonly Lock _gate = new();

    // Partials (and gaps of items never run) not merged yet, by start index.
    private readonly PriorityQueue<Partial, long> _waiting = new();

    // The first index not merged yet.
    private long _next;

    // Whether a worker is merging; _has and _acc belong to it (handed over through _gate), then to the final merge.
    private bool _merging;

    private int _held;
    private bool _has;
    private TOut _acc = default!;

    // The combiner returned one of its arguments once: it may change them in place, so values are not folded again.
    private volatile bool _inPlace;
    private (bool HasValue, TOut Value)? _merged;

    public override Memory<TOut> RentValues(long startIndex, int count) => ArrayPool<TOut>.Shared.Rent(count).AsMemory(0, count);

    public override ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken)
    {
        var array = MemoryMarshal.TryGetArray<TOut>(values, out var segment) && segment.Offset == 0 ? segment.Array : null;
        var keep = false;
        try
        {
            if (ran > 0)
            {
                var partial = Fold(startIndex, ran, values.Span, failures);
                lock (_gate)
                {
                    // Values are kept only where a fold item by item could need them: two items or more.
                    keep = array is not null && partial.Count - (partial.Failed?.Count ?? 0) > 1 && (startIndex == _next || _held + ran <= HeldValuesLimit);
                    if (keep)
                    {
                        partial.Values = array;
                        _held += ran;
                    }

                    _waiting.Enqueue(partial, startIndex);
                }
            }
        }
        finally
        {
            if (!keep && MemoryMarshal.TryGetArray<TOut>(values, out var rented) && rented.Array is { } toReturn)
            {
                Return(toReturn);
            }
        }

        MergeReady(cancellationToken);
        return ValueTask.CompletedTask;
    }

    /// <summary>Items taken but never started: the merge passes over them.</summary>
    public override void OnNotRun(long startIndex, int count)
    {
        lock (_gate)
        {
            _waiting.Enqueue(new Partial(startIndex, count), startIndex);
        }
    }

    /// <summary>
    /// Merges what is left of the batches' partials in input order, once every worker has finished and before the run's
    /// report is built, so a combiner failing here is reported like one failing inside a batch. A cancel stops it between
    /// two combines (lib54: it used to merge every partial first, 1.5 s a combine for a slow one, and then throw
    /// <see cref="RunCanceledException"/> anyway); the run is then cancelled and its value is never read.
    /// </summary>
    public override void OnWorkersDone(CancellationToken cancellationToken) => Merge(cancellationToken);

    /// <summary>Gets the combined value of every item whose value was combined.</summary>
    public (bool HasValue, TOut Value) Combine() => Merge(CancellationToken.None);

    private static void Return(TOut[] array) => ArrayPool<TOut>.Shared.Return(array, RuntimeHelpers.IsReferenceOrContainsReferences<TOut>());

    private static bool SameObject(TOut result, TOut a, TOut b) =>
        !typeof(TOut).IsValueType && (ReferenceEquals(result, a) || ReferenceEquals(result, b));

    // The batch's own fold (the hot path): a combine that throws marks the batch refused, to be folded again at its turn.
    private Partial Fold(long startIndex, int ran, Span<TOut> span, IReadOnlyList<ItemFailure>? failures)
    {
        var partial = new Partial(startIndex, ran);
        var f = 0;
        var has = false;
        TOut acc = default!;
        for (var i = 0; i < ran; i++)
        {
            if (failures is not null && f < failures.Count && failures[f].Index == startIndex + i)
            {
                f++;
                (partial.Failed ??= []).Add(startIndex + i);
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
                var next = combine(acc, span[i]);
                if (SameObject(next, acc, span[i]))
                {
                    _inPlace = true;
                }

                acc = next;
            }
            catch (Exception e)
            {
                // Charged at the batch's turn: to this item only if the values cannot be folded again.
                (partial.Refused ??= []).Add((startIndex + i, e));
            }
        }

        partial.HasValue = has;
        partial.Value = acc;
        return partial;
    }

    // Merges the partials that continue the merged prefix, unless another worker is already doing so: user code runs
    // outside _gate, and only one thread at a time touches _has and _acc.
    private void MergeReady(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_merging)
            {
                return;
            }

            _merging = true;
        }

        var merging = true;
        try
        {
            while (true)
            {
                Partial? partial;
                lock (_gate)
                {
                    if (cancellationToken.IsCancellationRequested || !_waiting.TryPeek(out partial, out var start) || start != _next)
                    {
                        // Cleared under the same lock a deliverer enqueues under: a partial enqueued before this is seen
                        // here, one enqueued after finds _merging false and merges itself.
                        _merging = false;
                        merging = false;
                        return;
                    }

                    _waiting.Dequeue();
                    _next = start + partial.Count;
                    if (partial.Values is not null)
                    {
                        _held -= partial.Count;
                    }
                }

                MergeOne(partial, afterWorkers: false);
            }
        }
        finally
        {
            if (merging)
            {
                lock (_gate)
                {
                    _merging = false;
                }
            }
        }
    }

    private (bool HasValue, TOut Value) Merge(CancellationToken cancellationToken)
    {
        if (_merged is { } merged)
        {
            return merged;
        }

        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // Not recorded as merged: a cancelled run throws before anyone asks for the value.
                return (_has, _acc);
            }

            Partial? partial;
            lock (_gate)
            {
                if (!_waiting.TryDequeue(out partial, out _))
                {
                    break;
                }
            }

            MergeOne(partial, afterWorkers: true);
        }

        _merged = (_has, _acc);
        return (_has, _acc);
    }

    // Adds one batch's partial to the merged prefix. Called by one thread at a time (see MergeReady).
    private void MergeOne(Partial partial, bool afterWorkers)
    {
        var values = partial.Values;
        try
        {
            var refold = values is not null && !_inPlace;
            if (partial.Refused is { } refused)
            {
                if (refold)
                {
                    Refold(partial, values!, afterWorkers);
                    return;
                }

                foreach (var (index, error) in refused)
                {
                    reportCombineFailure(index, error, afterWorkers);
                }
            }

            if (!partial.HasValue)
            {
                return;
            }

            if (!_has)
            {
                _acc = partial.Value;
                _has = true;
                return;
            }

            try
            {
                var next = combine(_acc, partial.Value);
                if (SameObject(next, _acc, partial.Value))
                {
                    _inPlace = true;
                }

                _acc = next;
            }
            catch (Exception e)
            {
                if (refold)
                {
                    // A fold item by item charges the item the prefix could not take, not its whole batch.
                    Refold(partial, values!, afterWorkers);
                    return;
                }

                // The values are gone (or may have been changed in place): the partial is left out, and every item it
                // holds is reported, each with a failure that says why it is charged (lib63: the combiner's own exception
                // alone read as if each of these items had been refused).
                // A partial of one item is that item's own value: it is charged with the combiner's exception as it is.
                var included = partial.Included().ToList();
                var charged = included.Count > 1 ? Unsplit(partial, e) : e;
                foreach (var index in included)
                {
                    reportCombineFailure(index, charged, afterWorkers);
                }
            }
        }
        finally
        {
            if (values is not null)
            {
                partial.Values = null;
                Return(values);
            }
        }
    }

    // Why every item of a refused partial is charged when its values cannot be folded again one by one.
    private InvalidOperationException Unsplit(Partial partial, Exception error)
    {
        var why = _inPlace
            ? "the combiner returns one of its arguments (it may change it in place), so the fold could not be taken apart"
            : $"their values were not kept (the batch waited while {HeldValuesLimit:N0} values waited), so they could not be folded again one by one";
        return new InvalidOperationException(
            $"Not combined: folded with items {partial.Start:N0} to {partial.Start + partial.Count - 1:N0} into one partial result the combiner refused " +
            $"({error.GetType().Name}: {Internal.ExceptionText.Brief(error)}); {why} to find the item at fault, so all are left out of the result.",
            error);
    }

    // Folds a batch's values one by one onto the merged prefix, charging each combine that throws to its item.
    private void Refold(Partial partial, TOut[] values, bool afterWorkers)
    {
        var f = 0;
        for (var i = 0; i < partial.Count; i++)
        {
            var index = partial.Start + i;
            if (partial.Failed is { } failed && f < failed.Count && failed[f] == index)
            {
                f++;
                continue;
            }

            if (!_has)
            {
                _acc = values[i];
                _has = true;
                continue;
            }

            try
            {
                _acc = combine(_acc, values[i]);
            }
            catch (Exception e)
            {
                reportCombineFailure(index, e, afterWorkers);
            }
        }
    }

    // A batch's fold over [Start, Start + Count) but the items that Failed (in the map) or that its fold Refused; or a
    // gap of items never run (no value).
    private sealed class Partial(long start, int count)
    {
        public long Start { get; } = start;

        public int Count { get; } = count;

        public bool HasValue { get; set; }

        public TOut Value { get; set; } = default!;

        public List<long>? Failed { get; set; }

        public List<(long Index, Exception Error)>? Refused { get; set; }

        // The batch's values, while kept to be folded again item by item.
        public TOut[]? Values { get; set; }

        public IEnumerable<long> Included()
        {
            var f = 0;
            var r = 0;
            for (var index = Start; index < Start + Count; index++)
            {
                if (Failed is not null && f < Failed.Count && Failed[f] == index)
                {
                    f++;
                    continue;
                }

                if (Refused is not null && r < Refused.Count && Refused[r].Index == index)
                {
                    r++;
                    continue;
                }

                yield return index;
            }
        }
    }
}
