namespace Brigade.Diagnostics;

/// <summary>Options of a <see cref="RaceDetector"/>; read once, when it starts.</summary>
public sealed class RaceDetectorOptions
{
    private int _maxFlows = 1024;

    /// <summary>Gets or sets the channel races are reported to.</summary>
    /// <value>Defaults to <see langword="null"/>: <see cref="PitfallDiagnostics.Default"/>.</value>
    public PitfallDiagnostics? Diagnostics { get; set; }

    /// <summary>Gets or sets how many threads and logical flows are tracked at once.</summary>
    /// <value>
    /// Defaults to 1,024 (2 to 65,536). A vector clock holds one 4-byte entry per flow slot in use, so this bounds every
    /// clock. Slots of finished flows (a thread that exited, a flow whose body ended or that nothing references any
    /// more) are recycled; a flow that finds every slot in use is not tracked: its accesses are neither checked nor
    /// recorded (<see cref="RaceDetector.FlowsUntracked"/> counts them).
    /// </value>
    public int MaxFlows
    {
        get => _maxFlows;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 65_536);
            _maxFlows = value;
        }
    }

    /// <summary>Gets or sets whether every access records its stack trace, so a report shows the earlier access's stack too.</summary>
    /// <value>Defaults to <see langword="false"/>: the earlier access shows its caller's file, line and member, and the
    /// access that finds the race its full stack trace. A stack trace costs tens of microseconds per access.</value>
    public bool CaptureStackTraces { get; set; }
}
