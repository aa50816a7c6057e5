namespace Brigade.Diagnostics;

/// <summary>Options of <see cref="ThreadPoolStarvationMonitor"/>.</summary>
public sealed class ThreadPoolMonitorOptions
{
    private TimeSpan _interval = TimeSpan.FromMilliseconds(250);
    private TimeSpan _threshold = TimeSpan.FromSeconds(1);
    private int _maxSamples = 240;

    /// <summary>Gets or sets how often the pool is sampled.</summary>
    /// <value>Defaults to 250 ms.</value>
    public TimeSpan Interval
    {
        get => _interval;
        set => _interval = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the interval must be positive");
    }

    /// <summary>Gets or sets how long queued work must go unserved before starvation is reported.</summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan Threshold
    {
        get => _threshold;
        set => _threshold = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the threshold must be positive");
    }

    /// <summary>Gets or sets how many recent samples the monitor keeps, and the most a starvation episode is judged over.</summary>
    /// <value>Defaults to 240 (a minute at the default interval).</value>
    public int MaxSamples
    {
        get => _maxSamples;
        set => _maxSamples = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "keep at least 2 samples");
    }

    /// <summary>Gets or sets the channel reports go to; its <see cref="PitfallDiagnostics.TimeProvider"/> drives the sampling.</summary>
    /// <value>Defaults to <see langword="null"/>: <see cref="PitfallDiagnostics.Default"/>.</value>
    public PitfallDiagnostics? Diagnostics { get; set; }
}
