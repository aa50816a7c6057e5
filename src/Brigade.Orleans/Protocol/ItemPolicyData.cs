using Brigade.Engines.Remote;

namespace Brigade.Orleans.Protocol;

/// <summary>The remote kit's <see cref="ItemPolicySpec"/> (the run's item timeout and retry) on the cluster's wire.</summary>
[GenerateSerializer, Immutable, Alias("brigade.item-policy.v1")]
internal sealed class ItemPolicyData
{
    /// <summary>Gets how long one attempt may take, or <see langword="null"/> for no limit.</summary>
    [Id(0)]
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets how many times a failed item is tried again; 0 for none.</summary>
    [Id(1)]
    public int MaxRetries { get; init; }

    /// <summary>Gets the wait before the first retry.</summary>
    [Id(2)]
    public TimeSpan Delay { get; init; }

    /// <summary>Gets the longest wait between two attempts.</summary>
    [Id(3)]
    public TimeSpan MaxDelay { get; init; }

    /// <summary>Gets how the wait grows (<see cref="RetryBackoff"/>).</summary>
    [Id(4)]
    public int Backoff { get; init; }

    /// <summary>Gets whether each wait is randomized.</summary>
    [Id(5)]
    public bool UseJitter { get; init; }

    public static ItemPolicyData? From(ItemPolicySpec? spec) => spec is null ? null : new()
    {
        Timeout = spec.Timeout,
        MaxRetries = spec.MaxRetries,
        Delay = spec.Delay,
        MaxDelay = spec.MaxDelay,
        Backoff = (int)spec.Backoff,
        UseJitter = spec.UseJitter,
    };

    /// <summary>The policy, checked: a value out of range is the engine's bug or another build, refused plainly.</summary>
    public ItemPolicySpec ToSpec()
    {
        if (Timeout is { } t && (t <= TimeSpan.Zero || t > TimeSpan.FromDays(1)) || MaxRetries is < 0 or > 100 || Delay < TimeSpan.Zero
            || MaxDelay <= TimeSpan.Zero || Backoff is < 0 or > (int)RetryBackoff.Exponential)
        {
            throw new InvalidOperationException("The batch's item policy is out of range.");
        }

        return new ItemPolicySpec(Timeout, MaxRetries, Delay, MaxDelay, (RetryBackoff)Backoff, UseJitter);
    }
}
