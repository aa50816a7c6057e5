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
