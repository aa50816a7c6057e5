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

    internal PlainLockWatchOptions Clone() => (PlainLockWatchOptions)MemberwiseClone();
}
