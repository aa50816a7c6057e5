namespace Brigade;

/// <summary>The combined result of a map-reduce run, with the run's report.</summary>
/// <typeparam name="T">The type of the combined result.</typeparam>
public sealed class ReduceResult<T>
{
    private readonly T _value;

    internal ReduceResult(bool hasValue, T value, RunReport report)
    {
        HasValue = hasValue;
        _value = value;
        Report = report;
    }

    /// <summary>Gets whether at least one item succeeded, so there is a value.</summary>
    public bool HasValue { get; }

    /// <summary>Gets whether every item succeeded, so the value covers the whole input.</summary>
    public bool IsSuccess => Report.IsSuccess;

    /// <summary>Gets the combined value of every item.</summary>
    /// <exception cref="RunFailedException">An item failed or was not run, so the value would be partial.</exception>
    /// <exception cref="InvalidOperationException">The input was empty.</exception>
    public T Value
    {
        get
        {
            Report.ThrowIfFailed();
            return HasValue ? _value : throw new InvalidOperationException("The input was empty, so there is nothing to combine.");
        }
    }

    /// <summary>Gets the combined value of the items that succeeded, even if others failed.</summary>
    public T? PartialValue => HasValue ? _value : default;

    /// <summary>Gets the run's report: timings, speedup, failures and timeline.</summary>
    public RunReport Report { get; }
}
