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
}
