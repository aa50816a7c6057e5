namespace Brigade;

/// <summary>How the wait between an item's attempts grows (<see cref="ItemRetryOptions.Backoff"/>).</summary>
public enum RetryBackoff
{
    /// <summary>Every wait is <see cref="ItemRetryOptions.Delay"/>.</summary>
    Constant,

    /// <summary>The n-th wait is n × <see cref="ItemRetryOptions.Delay"/>.</summary>
    Linear,

    /// <summary>The n-th wait is 2^(n-1) × <see cref="ItemRetryOptions.Delay"/>.</summary>
    Exponential,
}
