using Brigade.Diagnostics;

namespace Brigade.Doctor;

/// <summary>Options of <see cref="PlainLockWatch"/>.</summary>
public sealed class PlainLockWatchOptions
{
    private TimeSpan _threshold = TimeSpan.FromSeconds(1);
    private TimeSpan _maxBackOff = TimeSpan.FromMinutes(1);

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

    /// <summary>Gets or sets the directory of the short-lived dumps. A dump is about the size of the process's resident
    /// memory; it has a name there only for the instant it is created (then it is an unlinked file, freed after its
    /// analysis or when the process ends, however it ends).</summary>
    /// <value>Defaults to null: memory-backed <c>/dev/shm</c> when it has room for four times the process's resident
    /// size plus 256 MB (the dump then costs RAM, not disk, for the seconds of its analysis), otherwise the system's
    /// temporary directory.</value>
    public string? DumpDirectory { get; set; }

    /// <summary>Gets or sets whether the watch diagnoses the process once when it starts, so that a real diagnosis later
    /// runs warm (the analysis code is compiled and the runtime's data-access library loaded), and so that a deadlock
    /// already formed when the watch starts, which raises no contention event, is reported: the warm-up publishes the
    /// deadlocks it finds unless a wait of the cycle is a <c>TryEnter</c> (which may have given up since).</summary>
    /// <value>Defaults to <see langword="true"/>: the warm-up stops the process for the time of one dump (about a third of
    /// a second for a small process) shortly after the start, and checks that dumps work here; without it, the first
    /// diagnosis takes about a second longer (compiling the analysis).</value>
    public bool WarmUp { get; set; } = true;

    /// <summary>Gets or sets the longest pause between two diagnoses when the earlier ones found nothing new, and how
    /// long a lock whose long waits a dump showed to be no deadlock is not dumped again, whoever waits on it (review 71;
    /// keyed with the lock its holder waits on, if any, so that a cycle that forms later on the same lock is dumped).
    /// Each diagnosis stops the process while its dump is written (see <see cref="PlainLockWatch"/>): a longer back-off
    /// stops a process whose locks are often held long (slow, not deadlocked) less often, and may report a deadlock that
    /// forms in such a phase that much later.</summary>
    /// <value>Defaults to 1 minute. The pauses start at <see cref="Threshold"/> (at least 1 s) and double up to it.</value>
    public TimeSpan MaxBackOff
    {
        get => _maxBackOff;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _maxBackOff = value;
        }
    }

    /// <summary>How long <see cref="PlainLockWatch.Dispose"/>, called from another thread, waits for a diagnosis in
    /// progress before it reports what it cut short (review 50). Internal: tests shorten it; 30 s covers a dump and its
    /// analysis on a loaded machine most of the time, and what is cut short is reported either way.</summary>
    internal TimeSpan DisposeWait { get; set; } = TimeSpan.FromSeconds(30);

    internal PlainLockWatchOptions Clone() => (PlainLockWatchOptions)MemberwiseClone();
}
