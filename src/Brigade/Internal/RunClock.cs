namespace Brigade.Internal;

/// <summary>A run's time base: timestamps from the run's <see cref="TimeProvider"/>, converted to offsets from its start.</summary>
internal sealed class RunClock(TimeProvider timeProvider)
{
    private readonly double _ticksPerTimestamp = (double)TimeSpan.TicksPerSecond / timeProvider.TimestampFrequency;

    public TimeProvider TimeProvider => timeProvider;

    public long StartTimestamp { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public void Start()
    {
        StartedAt = timeProvider.GetUtcNow();
        StartTimestamp = timeProvider.GetTimestamp();
    }

    public long Now() => timeProvider.GetTimestamp();

    public TimeSpan ToDuration(long fromTimestamp, long toTimestamp) =>
        TimeSpan.FromTicks((long)((toTimestamp - fromTimestamp) * _ticksPerTimestamp));

    public TimeSpan SinceStart(long timestamp) => ToDuration(StartTimestamp, timestamp);
}
