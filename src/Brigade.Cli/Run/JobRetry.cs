using System.Globalization;

namespace Brigade.Cli.Run;

/// <summary>
/// <c>brigade run --retries N --retry-delay D</c>, mapped onto the library's <see cref="RunOptions.ItemRetry"/>: the engine
/// tries a failed item again (Polly underneath: exponential backoff from <see cref="Delay"/>, with jitter, each wait at most
/// 30 s); the work only counts its attempts (<see cref="PreparedItem.Attempts"/>) to report them.
/// </summary>
/// <param name="Retries">How many more times a failing item runs (0: once only).</param>
/// <param name="Delay">The wait before the first retry; zero retries at once.</param>
internal sealed record JobRetry(int Retries, TimeSpan Delay)
{
    /// <summary>The most retries <c>--retries</c> takes (<see cref="ItemRetryOptions.MaxRetries"/>' limit).</summary>
    public const int MaxRetries = 100;

    /// <summary>The wait before the first retry when <c>--retry-delay</c> is not given: long enough for a busy service or a
    /// flaky network to recover, short enough not to stall a run (1 s, 2 s, 4 s, ... around those, capped at 30 s).</summary>
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(1);

    /// <summary>Gets the policy of a run that does not retry.</summary>
    public static JobRetry None { get; } = new(0, DefaultDelay);

    /// <summary>Gets whether a failure at <paramref name="attempt"/> (1-based) is the item's last: the engine will not try it again.</summary>
    public bool IsLast(int attempt) => attempt > Retries;

    /// <summary>Sets <paramref name="options"/>' <see cref="RunOptions.ItemRetry"/> (none without retries).</summary>
    /// <param name="options">The run's options.</param>
    public void ApplyTo(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ItemRetry = Retries == 0 ? null : new ItemRetryOptions
        {
            MaxRetries = Retries,
            Delay = Delay,
            Backoff = RetryBackoff.Exponential,
            UseJitter = true,

            // A cancelled command or work is the run stopping (Ctrl+C, --fail-fast, a full disk), not a failure to retry;
            // the kit never retries those either, this also covers a token of the work's own.
            ShouldRetry = static e => e is not OperationCanceledException,
        };
    }

    /// <summary>A failed item's reason as the failures file and the journal give it: the last attempt's error, and how many attempts there were.</summary>
    public static string Describe(string error, int attempts) =>
        attempts > 1 ? string.Create(CultureInfo.InvariantCulture, $"{error} (after {attempts} attempts)") : error;
}
