namespace Brigade;

/// <summary>
/// How a failed item is tried again (<see cref="RunOptions.ItemRetry"/>): how many times, how long to wait between
/// attempts, and which failures are worth another attempt. Immutable once built.
/// </summary>
/// <remarks>
/// An item is reported as failed (<see cref="ItemFailure"/>, with <see cref="ItemFailure.Attempts"/>) only when its
/// last attempt failed; <see cref="FailureMode.StopOnFirstFailure"/> trips on that last attempt, not on a retried one.
/// A failure raised because the run is stopping is never retried. Every engine of Brigade applies it: the worker
/// processes and cluster engines where they run the items (there <see cref="ShouldRetry"/>, a delegate, is rejected
/// before any item runs); an engine without <see cref="EngineCapabilities.InProcess"/> or
/// <see cref="EngineCapabilities.ItemTimeoutAndRetry"/> rejects it.
/// </remarks>
public sealed class ItemRetryOptions
{
    private readonly int _maxRetries = 3;
    private readonly TimeSpan _delay = TimeSpan.FromMilliseconds(200);
    private readonly TimeSpan _maxDelay = TimeSpan.FromSeconds(30);

    /// <summary>Gets how many times a failed item is tried again.</summary>
    /// <value>Defaults to 3 (at most 4 attempts); from 1 to 100.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above 100.</exception>
    public int MaxRetries
    {
        get => _maxRetries;
        init
        {
            if (value is < 1 or > 100)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"ItemRetryOptions.MaxRetries must be from 1 to 100 (got {value}); for no retries, leave RunOptions.ItemRetry null.");
            }

            _maxRetries = value;
        }
    }

    /// <summary>Gets the wait before the first retry, the base of <see cref="Backoff"/>.</summary>
    /// <value>Defaults to 200 ms; <see cref="TimeSpan.Zero"/> retries at once; at most one day.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or more than one day.</exception>
    public TimeSpan Delay
    {
        get => _delay;
        init
        {
            if (value < TimeSpan.Zero || value > TimeSpan.FromDays(1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"ItemRetryOptions.Delay must be from zero to one day (got {value}).");
            }

            _delay = value;
        }
    }

    /// <summary>Gets the longest wait between two attempts, whatever <see cref="Backoff"/> computes.</summary>
    /// <value>Defaults to 30 s; more than zero, at most one day.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive or more than one day.</exception>
    public TimeSpan MaxDelay
    {
        get => _maxDelay;
        init
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"ItemRetryOptions.MaxDelay must be more than zero and at most one day (got {value}).");
            }

            _maxDelay = value;
        }
    }

    /// <summary>Gets how the wait grows from one attempt to the next.</summary>
    /// <value>Defaults to <see cref="RetryBackoff.Exponential"/>.</value>
    public RetryBackoff Backoff { get; init; } = RetryBackoff.Exponential;

    /// <summary>Gets whether each wait is randomized around its computed value, so that items that failed together do not retry together.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool UseJitter { get; init; } = true;

    /// <summary>Gets which failures are tried again: the item's exception in, <see langword="true"/> to retry.</summary>
    /// <value>Defaults to <see langword="null"/>: every failure is tried again. An item past <see cref="RunOptions.ItemTimeout"/> always is.
    /// Engines that run items in another process or on another machine reject it (a delegate cannot travel).</value>
    public Func<Exception, bool>? ShouldRetry { get; init; }
}
