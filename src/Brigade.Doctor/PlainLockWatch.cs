using Brigade.Diagnostics;
using Brigade.Doctor.Live;

namespace Brigade.Doctor;

/// <summary>
/// Catches deadlocks on plain <c>lock</c>/<c>Monitor</c> and <c>System.Threading.Lock</c> live, in the process itself:
/// it listens to the runtime's contention events, and when a thread has waited to enter a lock for longer than
/// <see cref="PlainLockWatchOptions.Threshold"/>, it dumps the process through the diagnostics IPC, analyzes the dump
/// like <c>brigade doctor</c>, deletes it, and publishes what it found (a deadlock cycle, thread-pool starvation, pool
/// threads blocked on tasks) through <see cref="PitfallDiagnostics"/>, like every Brigade detector.
/// </summary>
/// <remarks>
/// <para>Opt-in; one watch per process. An uncontended acquisition raises no event, so costs nothing; a short contention
/// costs the runtime's event and a dictionary update. A long contention that is not a deadlock (a holder that is merely
/// slow) is analyzed once and publishes nothing. The process is stopped only while its dump is written.</para>
/// <para>The watch runs on its own thread, so it works while the thread pool is starved.</para>
/// </remarks>
/// <example>
/// <code>
/// using var watch = PlainLockWatch.Start();     // threshold 1 s, reports to PitfallDiagnostics.Default
/// PitfallDiagnostics.Default.Reported += (_, report) => logger.LogError("{Report}", report.Message);
/// </code>
/// </example>
public sealed class PlainLockWatch : IDisposable
{
    private static readonly Lock StartGate = new();
    private static PlainLockWatch? s_current;

    private readonly PlainLockWatchOptions _options;
    private readonly ContentionListener _listener;
    private readonly Thread _thread;

    // Set once by Dispose, from any thread (the watch's own included: a report handler may dispose the watch). Never
    // disposed: nobody asks for its wait handle, so it holds no kernel object, and a Set after the watch ended must not throw.
#pragma warning disable CA2213 // See above: disposing it would make Dispose unsafe from the watch's own thread.
    private readonly ManualResetEventSlim _stopping = new();
#pragma warning restore CA2213
    private int _disposed;

    // Touched only by the watch's thread.
    private readonly Dictionary<long, long> _diagnosed = [];
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);
#pragma warning disable CA2213 // Like _stopping: no wait handle is ever made, and IsWarm may be read after Dispose.
    private readonly ManualResetEventSlim _warm = new();
#pragma warning restore CA2213
    private Diagnosis? _last;
    private int _diagnoses;

    private PlainLockWatch(PlainLockWatchOptions options)
    {
        _options = options;
        Diagnostics = options.Diagnostics ?? PitfallDiagnostics.Default;
        _listener = new ContentionListener();
        _thread = new Thread(Loop) { IsBackground = true, Name = "brigade-plain-lock-watch" };
        _thread.Start();
    }

    /// <summary>Gets the active watch, or null.</summary>
    public static PlainLockWatch? Current => Volatile.Read(ref s_current);

    /// <summary>Gets the channel findings are published to.</summary>
    public PitfallDiagnostics Diagnostics { get; }

    /// <summary>Gets how long a contention must last before the process is diagnosed.</summary>
    public TimeSpan Threshold => _options.Threshold;

    /// <summary>Gets how many times the process was dumped and analyzed.</summary>
    public int DiagnosesTaken => Volatile.Read(ref _diagnoses);

    /// <summary>Gets whether the watch is ready: started, and warmed up when <see cref="PlainLockWatchOptions.WarmUp"/> asked for it.</summary>
    public bool IsWarm => _warm.IsSet;

    /// <summary>Gets the latest diagnosis, or null.</summary>
    public Diagnosis? LastDiagnosis => Volatile.Read(ref _last);

    /// <summary>Starts watching this process's lock contentions.</summary>
    /// <param name="options">Options; null for the defaults (1 s, <see cref="PitfallDiagnostics.Default"/>).</param>
    /// <returns>The watch; dispose it to stop.</returns>
    /// <exception cref="InvalidOperationException">A watch is already active.</exception>
    public static PlainLockWatch Start(PlainLockWatchOptions? options = null)
    {
        lock (StartGate)
        {
            if (s_current is not null)
            {
                throw new InvalidOperationException("a PlainLockWatch is already active in this process; dispose it first");
            }

            var watch = new PlainLockWatch((options ?? new PlainLockWatchOptions()).Clone());
            Volatile.Write(ref s_current, watch);
            return watch;
        }
    }

    /// <summary>Stops watching. Safe from any thread, the watch's own included (a handler of
    /// <see cref="PitfallDiagnostics.Reported"/> runs on it), and more than once.</summary>
    /// <remarks>From another thread it waits (up to 30 s) for a diagnosis in progress to end; from the watch's thread it
    /// returns at once and the watch ends when the handler returns, publishing nothing more.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (StartGate)
        {
            if (ReferenceEquals(s_current, this))
            {
                Volatile.Write(ref s_current, null);
            }
        }

        _stopping.Set();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(30));
        }
    }

    private void Loop()
    {
        try
        {
            Watch();
        }
        finally
        {
            // The watch's thread owns the listener: disposing it here, once the loop is over, is safe whichever thread
            // called Dispose.
            _listener.Dispose();
        }
    }

    private void Watch()
    {
        _listener.IgnoredThread = CurrentOsThreadId();
        if (_options.WarmUp)
        {
            try
            {
                Doctor.DiagnoseProcess(Environment.ProcessId, new DoctorOptions { DumpDirectory = _options.DumpDirectory });
            }
#pragma warning disable CA1031 // A failed warm-up only means the first real diagnosis is slower.
            catch (Exception e)
#pragma warning restore CA1031
            {
                System.Diagnostics.Trace.TraceWarning($"PlainLockWatch: warm-up failed: {e.Message}");
            }
        }

        _warm.Set();
        if (_stopping.IsSet)
        {
            return;
        }

        var interval = TimeSpan.FromTicks(Math.Clamp(_options.Threshold.Ticks / 10, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromMilliseconds(100).Ticks));
        var waits = new List<(long Thread, long StartTicks)>();
        while (!_stopping.Wait(interval))
        {
            _listener.Snapshot(waits);
            var now = DateTime.UtcNow.Ticks;
            var due = false;
            foreach (var (thread, start) in waits)
            {
                if (now - start >= _options.Threshold.Ticks && (!_diagnosed.TryGetValue(thread, out var seen) || seen != start))
                {
                    due = true;
                }
            }

            if (!due)
            {
                continue;
            }

            // Every contention that is due now is covered by this one diagnosis.
            foreach (var (thread, start) in waits)
            {
                _diagnosed[thread] = start;
            }

            Analysis.DumpAnalyzer.Mark("watch: contention past threshold");
            Diagnose();
        }
    }

    private void Diagnose()
    {
        Diagnosis diagnosis;
        try
        {
            diagnosis = Doctor.DiagnoseProcess(Environment.ProcessId, new DoctorOptions { DumpDirectory = _options.DumpDirectory });
        }
#pragma warning disable CA1031 // The watch must keep running: a failed dump (ptrace forbidden, disk full) is not the program's failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            System.Diagnostics.Trace.TraceWarning($"PlainLockWatch: could not diagnose the process: {e.Message}");
            return;
        }

        Interlocked.Increment(ref _diagnoses);
        Volatile.Write(ref _last, diagnosis);
        foreach (var report in diagnosis.Reports)
        {
            // A deadlock lasts: publish each finding once, not at every contention that runs into it.
            var key = $"{report.Code}:{string.Join(',', report.Threads.Select(t => t.ManagedThreadId).Order())}";
            if (_stopping.IsSet)
            {
                // A handler disposed the watch: nothing more is published.
                return;
            }

            if (_published.Add(key))
            {
                Diagnostics.Publish(report);
            }
        }
    }

    private static long CurrentOsThreadId()
    {
        // The OS id of the current thread, as event payloads carry it.
        try
        {
            var self = File.ReadAllText("/proc/thread-self/stat");
            return long.Parse(self.AsSpan(0, self.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }
}
