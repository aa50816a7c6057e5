namespace Brigade.Cli.Run;

/// <summary>Live counts of a <c>brigade run</c>, written by the delivery loop and read by the progress display.</summary>
internal sealed class RunCounters
{
    private long _delivered;
    private long _failed;
    private long _running;

    // -1: unknown. Set before the run (the count of a regular file's items) and again at the input's end (the items read),
    // while the progress view reads it: one long, never torn.
    private long _total = -1;

    /// <summary>Gets or sets the input's number of items, or null when it is not known.</summary>
    public long? Total
    {
        get => Volatile.Read(ref _total) is var total and >= 0 ? total : null;
        set => Volatile.Write(ref _total, value ?? -1);
    }

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public long Delivered => Volatile.Read(ref _delivered);

    public long Failed => Volatile.Read(ref _failed);

    public long Running => Volatile.Read(ref _running);

    public long ResumedFrom { get; set; }

    /// <summary>Gets how many items of this run needed more than one attempt (<c>--retries</c>), failed or not.</summary>
    public long Retried { get; private set; }

    /// <summary>Gets how many attempts those retried items took in all.</summary>
    public long RetriedAttempts { get; private set; }

    /// <summary>Counts an item that ran <paramref name="attempts"/> times (delivery loop only).</summary>
    public void OnAttempts(int attempts)
    {
        if (attempts > 1)
        {
            Retried++;
            RetriedAttempts += attempts;
        }
    }

    public void OnDelivered(bool failed)
    {
        Interlocked.Increment(ref _delivered);
        if (failed)
        {
            Interlocked.Increment(ref _failed);
        }
    }

    public void SetRunning(long running) => Volatile.Write(ref _running, running);

    // This run's failure reasons, counted by their first line, for the summary's "all with …" (review 54: 1,000 items
    // of a missing program said "1,000 failed (see FILE)" and nothing of why). Bounded: past MaxReasons distinct
    // reasons (each item's own stderr, say) the rest are not told apart.
    private const int MaxReasons = 32;
    private readonly Dictionary<string, long> _reasons = new(StringComparer.Ordinal);
    private long _failedThisRun;

    /// <summary>Counts a failure of this run by its reason (delivery loop only).</summary>
    public void OnFailure(string error)
    {
        _failedThisRun++;
        var reason = FirstLine(error);
        if (_reasons.TryGetValue(reason, out var count))
        {
            _reasons[reason] = count + 1;
        }
        else if (_reasons.Count < MaxReasons)
        {
            _reasons[reason] = 1;
        }
    }

    /// <summary>
    /// Gets the reason most of this run's failures share (at least two, and at least half of them), with how many, and
    /// whether every failure of the job has it; null when none does.
    /// </summary>
    public (string Reason, long Count, bool All)? CommonFailure()
    {
        var top = _reasons.Count == 0 ? default : _reasons.MaxBy(static r => r.Value);
        return top.Value >= 2 && top.Value * 2 >= _failedThisRun ? (top.Key, top.Value, top.Value == Failed) : null;
    }

    private static string FirstLine(string error)
    {
        var end = error.AsSpan().IndexOfAny('\r', '\n');
        var line = end >= 0 ? error[..end] : error;
        return line.Length > 160 ? string.Concat(line.AsSpan(0, 160), "…") : line;
    }

    /// <summary>
    /// Gets what the ordered output waits for: the input line of the item every later result is held behind, how long it
    /// has waited and how many results wait with it; null when nothing is held back (or the run is unordered).
    /// </summary>
    public OrderedStall? Stall => Volatile.Read(ref _stall);

    private OrderedStall? _stall;

    /// <summary>Sets (or, with null, clears) what the ordered output waits for (the engine's progress callback).</summary>
    public void SetStall(OrderedStall? stall) => Volatile.Write(ref _stall, stall);
}
