namespace Brigade.Doctor;

/// <summary>Options of <see cref="Doctor"/>: where the dump goes, whether to keep it, how to read it.</summary>
public sealed class DoctorOptions
{
    private string? _dumpDirectory;
    private int _maxFramesPerThread = 200;
    private TimeSpan _dumpTimeout = DefaultDumpTimeout;

    /// <summary>Gets the default of <see cref="DumpTimeout"/>: 30 seconds.</summary>
    public static TimeSpan DefaultDumpTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the directory the dump of a live process is written to, in a private subdirectory removed afterwards.</summary>
    /// <value>Defaults to null: the system's temporary directory.</value>
    public string? DumpDirectory
    {
        get => _dumpDirectory;
        set
        {
            if (value is not null && !Directory.Exists(value))
            {
                throw new ArgumentException($"directory '{value}' does not exist", nameof(value));
            }

            _dumpDirectory = value;
        }
    }

    /// <summary>Gets or sets how long to wait for a live process to write its dump. A process that does not answer
    /// within it (stopped, or too large to dump in that time) fails with <see cref="DoctorErrorKind.NotResponding"/>,
    /// and the runtime's <c>createdump</c>, if it started, is stopped.</summary>
    /// <value>Defaults to <see cref="DefaultDumpTimeout"/> (30 seconds); a dump takes about a second per few hundred
    /// megabytes of the process's resident memory.</value>
    public TimeSpan DumpTimeout
    {
        get => _dumpTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _dumpTimeout = value;
        }
    }

    /// <summary>Gets or sets where to keep the dump of a live process; null deletes it after the analysis.</summary>
    /// <value>Defaults to null.</value>
    public string? KeepDumpPath { get; set; }

    /// <summary>Gets or sets the data-access library (<c>libmscordaccore.so</c>) to read the dump with; null finds the one of the dump's runtime.</summary>
    /// <value>Defaults to null: the runtime directory the dump names, then the runtimes installed here, matched by build id.</value>
    public string? DacPath { get; set; }

    /// <summary>Gets or sets whether frames get their file and line from the modules' portable PDBs (next to the module or embedded).</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool ReadSourceLines { get; set; } = true;

    /// <summary>Gets or sets how many managed frames are kept per thread.</summary>
    /// <value>Defaults to 200.</value>
    public int MaxFramesPerThread
    {
        get => _maxFramesPerThread;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxFramesPerThread = value;
        }
    }

    /// <summary>Gets or sets how many heap objects the async analysis walks at most (the walk is linear, about 5 seconds per
    /// 20 million objects); past it, async flows are not analysed and <see cref="Diagnosis.Notes"/> says so.</summary>
    /// <value>Defaults to 20 000 000.</value>
    public long MaxHeapObjects { get; set; } = 20_000_000;

    /// <summary>Gets or sets the clock of report timestamps.</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal DoctorOptions Clone() => (DoctorOptions)MemberwiseClone();
}
