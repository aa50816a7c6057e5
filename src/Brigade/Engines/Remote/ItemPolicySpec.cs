namespace Brigade.Engines.Remote;

/// <summary>
/// A run's <see cref="RunOptions.ItemTimeout"/> and <see cref="RunOptions.ItemRetry"/> as data, so that they travel to
/// a worker process or a silo with the work type, and the remote side runs each item under the same
/// <see cref="ItemPolicy"/> (Polly) as the engines in this process: the timeout per attempt, the retries with their
/// backoff and jitter, and <see cref="ItemFailure.Attempts"/> reported back with each failed item.
/// </summary>
/// <param name="Timeout">How long one attempt may take; <see langword="null"/> for no limit.</param>
/// <param name="MaxRetries">How many times a failed item is tried again; 0 for no retry.</param>
/// <param name="Delay">The wait before the first retry (<see cref="ItemRetryOptions.Delay"/>).</param>
/// <param name="MaxDelay">The longest wait between two attempts.</param>
/// <param name="Backoff">How the wait grows.</param>
/// <param name="UseJitter">Whether each wait is randomized.</param>
internal sealed record ItemPolicySpec(TimeSpan? Timeout, int MaxRetries, TimeSpan Delay, TimeSpan MaxDelay, RetryBackoff Backoff, bool UseJitter)
{
    /// <summary>The run's policy as data; <see langword="null"/> when the options ask for neither timeout nor retry.</summary>
    /// <exception cref="NotSupportedException">The options set <see cref="ItemRetryOptions.ShouldRetry"/>: a delegate cannot run elsewhere.</exception>
    public static ItemPolicySpec? From(RunOptions options, string engine)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ItemTimeout is null && options.ItemRetry is null)
        {
            return null;
        }

        var retry = options.ItemRetry;
        if (retry?.ShouldRetry is not null)
        {
            throw new NotSupportedException(
                $"ItemRetryOptions.ShouldRetry is a delegate, which cannot run where the '{engine}' engine runs items: leave it unset (every failure is retried) or use an engine that runs items in this process.");
        }

        var defaults = retry ?? new ItemRetryOptions();
        return new ItemPolicySpec(options.ItemTimeout, retry?.MaxRetries ?? 0, defaults.Delay, defaults.MaxDelay, defaults.Backoff, defaults.UseJitter);
    }

    /// <summary>Gets whether an item may wait between attempts.</summary>
    public bool Waits => MaxRetries > 0 && Delay > TimeSpan.Zero;

    /// <summary>The longest an item can take under this policy (every attempt to its timeout, every wait at its longest), or
    /// <see langword="null"/> when an attempt has no timeout.</summary>
    public TimeSpan? WorstCase()
    {
        if (Timeout is not { } timeout)
        {
            return null;
        }

        var waits = TimeSpan.Zero;
        for (var retry = 1; retry <= MaxRetries; retry++)
        {
            var wait = Backoff switch
            {
                RetryBackoff.Constant => Delay,
                RetryBackoff.Linear => Delay * retry,
                _ => Delay * Math.Pow(2, Math.Min(retry - 1, 30)),
            };

            // Polly's jitter is ±25% for constant and linear waits and a decorrelated curve around the exponential
            // one; twice the computed wait bounds both (this is a backstop for a hard deadline, not a forecast).
            wait = UseJitter ? wait * 2 : wait;
            waits += wait < MaxDelay ? wait : MaxDelay;
        }

        return (timeout * (MaxRetries + 1)) + waits;
    }

    /// <summary>The options that build this policy on the remote side.</summary>
    public RunOptions ToOptions() => new()
    {
        ItemTimeout = Timeout,
        ItemRetry = MaxRetries == 0 ? null : new ItemRetryOptions { MaxRetries = MaxRetries, Delay = Delay, MaxDelay = MaxDelay, Backoff = Backoff, UseJitter = UseJitter },
    };
}
