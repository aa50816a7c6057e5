using System.Collections;

namespace Brigade;

/// <summary>The results of a map run, in input order, with the run's report.</summary>
/// <typeparam name="T">The type of the work's result.</typeparam>
/// <remarks>
/// Enumerating the result, or indexing it, gives every item's <see cref="ItemResult{T}"/>: its value, or the
/// exception its work threw, or <see cref="ItemStatus.NotRun"/>. <see cref="Values"/> gives the plain values and
/// throws <see cref="RunFailedException"/> if any item did not succeed, so failures cannot be ignored by accident.
/// </remarks>
public sealed class RunResult<T> : IReadOnlyList<ItemResult<T>>
{
    private readonly T[] _values;
    private readonly long _count;
    private readonly List<(long Start, int Count)> _notRun;

    // The report's failures are in index order: an item's failure is found by binary search, not through a dictionary
    // copied from them (1,000,000 failures: 40 MB more, review 46). Null when they are not in order (a report built by
    // hand), and then a dictionary is built on first use.
    private readonly bool _failuresInOrder;
    private Dictionary<long, Exception>? _failureIndex;

    internal RunResult(T[] values, long count, List<(long Start, int Count)> notRun, RunReport report)
    {
        _values = values;
        _count = count;
        _notRun = notRun;
        Report = report;
        _failuresInOrder = InOrder(report.Failures);
    }

    /// <summary>Gets the run's report: timings, speedup, failures and timeline.</summary>
    public RunReport Report { get; }

    /// <summary>Gets whether every item succeeded.</summary>
    public bool IsSuccess => Report.IsSuccess;

    /// <summary>Gets every failed item, in index order.</summary>
    public IReadOnlyList<ItemFailure> Failures => Report.Failures;

    /// <summary>Gets the number of items in the input (read, or known to exist).</summary>
    public int Count => (int)Math.Min(_count, int.MaxValue);

    /// <summary>Gets the values in input order.</summary>
    /// <exception cref="RunFailedException">An item failed or was not run; the exception lists them.</exception>
    public IReadOnlyList<T> Values
    {
        get
        {
            Report.ThrowIfFailed();
            return _values;
        }
    }

    /// <summary>Gets the outcome of the item at <paramref name="index"/>.</summary>
    /// <param name="index">The item's position in the input.</param>
    /// <returns>The item's outcome.</returns>
    public ItemResult<T> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
            if (FindFailure(index) is { } exception)
            {
                return ItemResult<T>.Failure(index, exception);
            }

            if (index >= _values.Length || IsNotRun(index))
            {
                return new ItemResult<T>(index, ItemStatus.NotRun, default, null);
            }

            return ItemResult<T>.Success(index, _values[index]);
        }
    }

    private static bool InOrder(IReadOnlyList<ItemFailure> failures)
    {
        for (var i = 1; i < failures.Count; i++)
        {
            if (failures[i].Index <= failures[i - 1].Index)
            {
                return false;
            }
        }

        return true;
    }

    private Exception? FindFailure(long index)
    {
        var failures = Report.Failures;
        if (!_failuresInOrder)
        {
            var lookup = _failureIndex ??= failures.GroupBy(f => f.Index).ToDictionary(g => g.Key, g => g.First().Exception);
            return lookup.GetValueOrDefault(index);
        }

        var (low, high) = (0, failures.Count - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var at = failures[middle].Index;
            if (at == index)
            {
                return failures[middle].Exception;
            }

            (low, high) = at < index ? (middle + 1, high) : (low, middle - 1);
        }

        return null;
    }

    /// <summary>Gets the value of a succeeded item, or <paramref name="fallback"/>.</summary>
    /// <param name="index">The item's position in the input.</param>
    /// <param name="fallback">What to return when the item failed or did not run.</param>
    /// <returns>The value or the fallback.</returns>
    public T? GetValueOrDefault(int index, T? fallback = default)
    {
        var r = this[index];
        return r.IsSuccess ? r.Value : fallback;
    }

    /// <inheritdoc/>
    public IEnumerator<ItemResult<T>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private bool IsNotRun(long index)
    {
        foreach (var (start, count) in _notRun)
        {
            if (index >= start && index < start + count)
            {
                return true;
            }
        }

        return false;
    }
}
