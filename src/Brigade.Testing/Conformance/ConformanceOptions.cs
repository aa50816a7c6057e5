namespace Brigade.Testing.Conformance;

/// <summary>How the conformance suite runs an engine.</summary>
public sealed class ConformanceOptions
{
    private int _width = 4;
    private TimeSpan _caseTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the width the cases ask for; at least 2. Default 4.</summary>
    /// <value>An engine that always runs one worker (<see cref="EngineCapabilities.SingleWorker"/>) is checked at width 1 whatever this says.</value>
    public int Width
    {
        get => _width;
        set => _width = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the width must be at least 2");
    }

    /// <summary>Gets or sets how long one case may take, all its variants together, before it fails as hung. Default 60 s.</summary>
    public TimeSpan CaseTimeout
    {
        get => _caseTimeout;
        set => _caseTimeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the case timeout must be positive");
    }

    /// <summary>Gets or sets a count of the engine's workers still alive (threads it owns, loops it runs), checked to be 0
    /// after every run: no worker outlives its run. <see langword="null"/> (default) checks what the items show instead.</summary>
    public Func<int>? LiveWorkers { get; set; }

    /// <summary>Gets or sets how cases hold and count items. Default <see cref="ConformanceGates.Auto"/>.</summary>
    public ConformanceGates Gates { get; set; }

    /// <summary>Gets or sets where file gates live; default: the system's temporary directory.</summary>
    public string? ScratchDirectory { get; set; }
}
