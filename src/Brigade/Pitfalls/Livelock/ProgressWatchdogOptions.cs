namespace Brigade.Diagnostics;

/// <summary>Options of a <see cref="ProgressWatchdog"/>; read once, when it starts.</summary>
public sealed class ProgressWatchdogOptions
{
    private TimeSpan _threshold = TimeSpan.FromSeconds(1);
    private TimeSpan _interval = TimeSpan.FromMilliseconds(250);
    private double _busyCpuFraction = 0.5;
    private int _politeLivelockAttempts = 100;

    /// <summary>Gets or sets how long a watched flow may go without progress before it is reported.</summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan Threshold
    {
        get => _threshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _threshold = value;
        }
    }

    /// <summary>Gets or sets how often the watchdog checks, on the channel's <see cref="TimeProvider"/>.</summary>
    /// <value>Defaults to 250 ms.</value>
    public TimeSpan Interval
    {
        get => _interval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _interval = value;
        }
    }

    /// <summary>Gets or sets the share of the time a flow's thread must have been busy since its last progress to count as
    /// busy (livelock) rather than blocked (hang). Busy is running or waiting for a core (Linux run-queue wait, so a
    /// spinning thread on a loaded machine is busy though it gets little CPU); elsewhere, its CPU time alone.</summary>
    /// <value>Defaults to 0.5 (half a core); between 0 and 1.</value>
    public double BusyCpuFraction
    {
        get => _busyCpuFraction;
        set
        {
            if (!(value > 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "the busy fraction must be in (0, 1]");
            }

            _busyCpuFraction = value;
        }
    }

    /// <summary>Gets or sets after how many failed try-acquisitions in a row (of a Brigade primitive, while holding
    /// another) two threads that want what the other holds are reported as a polite livelock; 0 turns it off.</summary>
    /// <value>Defaults to 100.</value>
    public int PoliteLivelockAttempts
    {
        get => _politeLivelockAttempts;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _politeLivelockAttempts = value;
        }
    }

    /// <summary>Gets or sets the channel reports go to; its <see cref="PitfallDiagnostics.TimeProvider"/> times the thresholds.</summary>
    /// <value>Defaults to <see langword="null"/>: <see cref="PitfallDiagnostics.Default"/>.</value>
    public PitfallDiagnostics? Diagnostics { get; set; }

    /// <summary>Returns a copy.</summary>
    /// <returns>A shallow copy.</returns>
    public ProgressWatchdogOptions Clone() => (ProgressWatchdogOptions)MemberwiseClone();
}
