namespace Brigade.Testing;

/// <summary>How an exploration runs: strategy, budget, bounds and seed.</summary>
public sealed class ExplorationOptions
{
    private int _schedules = 1000;
    private int _maxSteps = 10_000;
    private int _pctDepth = 3;
    private TimeSpan _scheduleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the strategy.</summary>
    /// <value>Defaults to <see cref="ExplorationStrategy.Pct"/>.</value>
    public ExplorationStrategy Strategy { get; set; } = ExplorationStrategy.Pct;

    /// <summary>Gets or sets how many schedules to explore at most (the budget); exploration stops at the first bug.</summary>
    /// <value>Defaults to 1,000.</value>
    public int Schedules
    {
        get => _schedules;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _schedules = value;
        }
    }

    /// <summary>Gets or sets how many scheduling steps one schedule may take before it counts as a livelock.</summary>
    /// <value>Defaults to 10,000.</value>
    public int MaxSteps
    {
        get => _maxSteps;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxSteps = value;
        }
    }

    /// <summary>Gets or sets PCT's bug depth d: d − 1 priority change points per schedule.</summary>
    /// <value>Defaults to 3.</value>
    public int PctDepth
    {
        get => _pctDepth;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _pctDepth = value;
        }
    }

    /// <summary>Gets or sets the seed of the first schedule; the others derive from it.</summary>
    /// <value>Defaults to <see langword="null"/>: a seed from the clock, printed with any bug so it can be replayed.</value>
    public int? Seed { get; set; }

    /// <summary>Gets or sets whether tracked variables are checked for data races (a <c>RaceDetector</c> runs during the exploration).</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool DetectRaces { get; set; } = true;

    /// <summary>Gets or sets how long one schedule may take in real time before it is reported as a hang (a flow blocked outside the explorer's control).</summary>
    /// <value>Defaults to 10 seconds.</value>
    public TimeSpan ScheduleTimeout
    {
        get => _scheduleTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _scheduleTimeout = value;
        }
    }

    internal ExplorationOptions Clone() => (ExplorationOptions)MemberwiseClone();
}
