namespace Brigade.Cli.Run;

/// <summary>Live counts of a <c>brigade run</c>, written by the delivery loop and read by the progress display.</summary>
internal sealed class RunCounters
{
    private long _delivered;
    private long _failed;
    private long _running;

    public long? Total { get; set; }

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

    /// <summary>
    /// Gets what the ordered output waits for: the input line of the item every later result is held behind, how long it
    /// has waited and how many results wait with it; null when nothing is held back (or the run is unordered).
    /// </summary>
    public OrderedStall? Stall => Volatile.Read(ref _stall);

    private OrderedStall? _stall;

    /// <summary>Sets (or, with null, clears) what the ordered output waits for (the engine's progress callback).</summary>
    public void SetStall(OrderedStall? stall) => Volatile.Write(ref _stall, stall);
}
