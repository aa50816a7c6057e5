namespace Brigade.Cli.Run;

/// <summary>
/// Failures counted by their reason's first line, for the summary's "all with …" (review 54). Bounded: past
/// <see cref="MaxReasons"/> distinct reasons (each item's own stderr, say) the rest are not told apart.
/// </summary>
internal sealed class FailureReasons
{
    /// <summary>The most distinct reasons counted.</summary>
    public const int MaxReasons = 32;

    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts a failure by <paramref name="error"/>'s first line.</summary>
    public void Add(string error) => AddReason(FirstLine(error), 1);

    /// <summary>Counts <paramref name="other"/>'s failures too.</summary>
    public void Add(FailureReasons other)
    {
        foreach (var (reason, count) in other._counts)
        {
            AddReason(reason, count);
        }
    }

    /// <summary>Gets the reason most failures have, with how many; null when none was counted.</summary>
    public (string Reason, long Count)? Top()
    {
        if (_counts.Count == 0)
        {
            return null;
        }

        var top = _counts.MaxBy(static r => r.Value);
        return (top.Key, top.Value);
    }

    private void AddReason(string reason, long count)
    {
        if (_counts.TryGetValue(reason, out var had))
        {
            _counts[reason] = had + count;
        }
        else if (_counts.Count < MaxReasons)
        {
            _counts[reason] = count;
        }
    }

    private static string FirstLine(string error)
    {
        var end = error.AsSpan().IndexOfAny('\r', '\n');
        var line = end >= 0 ? error[..end] : error;
        return line.Length > 160 ? string.Concat(line.AsSpan(0, 160), "…") : line;
    }
}
