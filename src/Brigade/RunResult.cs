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
    private readonly Dictionary<long, Exception> _failures;

    internal RunResult(T[] values, long count, List<(long Start, int Count)> notRun, RunReport report)
    {
        _values = values;
        _count = count;
        _notRun = notRun;
        Report = report;
        _failures = report.Failures.ToDictionary(f => f.Index, f => f.Exception);
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
            if (_failures.TryGetValue(index, out var exception))
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
