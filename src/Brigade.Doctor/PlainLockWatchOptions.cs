using Brigade.Diagnostics;

namespace Brigade.Doctor;

/// <summary>Options of <see cref="PlainLockWatch"/>.</summary>
public sealed class PlainLockWatchOptions
{
    private TimeSpan _threshold = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a contention (a thread waiting to enter a <c>lock</c>/<c>Monitor</c> or a <c>System.Threading.Lock</c>) must last before the process is diagnosed.</summary>
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

    /// <summary>Gets or sets the channel findings are published to.</summary>
    /// <value>Defaults to null: <see cref="PitfallDiagnostics.Default"/>.</value>
    public PitfallDiagnostics? Diagnostics { get; set; }

    /// <summary>Gets or sets the directory of the short-lived dumps (deleted after each analysis).</summary>
    /// <value>Defaults to null: the system's temporary directory.</value>
    public string? DumpDirectory { get; set; }

    /// <summary>Gets or sets whether the watch diagnoses the process once when it starts (the result is discarded), so
    /// that a real diagnosis later runs warm: the analysis code is compiled and the runtime's data-access library loaded.</summary>
    /// <value>Defaults to <see langword="true"/>: the warm-up stops the process for the time of one dump (about a third of
    /// a second for a small process) shortly after the start, and checks that dumps work here; without it, the first
    /// diagnosis takes about a second longer (compiling the analysis).</value>
    public bool WarmUp { get; set; } = true;

    internal PlainLockWatchOptions Clone() => (PlainLockWatchOptions)MemberwiseClone();
}
