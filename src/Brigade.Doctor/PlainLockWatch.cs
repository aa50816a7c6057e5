using System.Diagnostics;
using Brigade.Diagnostics;
using Brigade.Doctor.Analysis;
using Brigade.Doctor.Capture;
using Brigade.Doctor.Live;

namespace Brigade.Doctor;

/// <summary>
/// Catches deadlocks on plain <c>lock</c>/<c>Monitor</c> and <c>System.Threading.Lock</c> live, in the process itself:
/// it listens to the runtime's contention events, and when a thread has waited to enter a lock for longer than
/// <see cref="PlainLockWatchOptions.Threshold"/>, it dumps the process with the runtime's <c>createdump</c> (started as its
/// own child, so that nothing is written on the program's standard output), analyzes the dump like <c>brigade doctor</c>,
/// deletes it, and publishes what it found (a deadlock cycle, thread-pool starvation, pool
/// threads blocked on tasks) through <see cref="PitfallDiagnostics"/>, like every Brigade detector.
/// </summary>
/// <remarks>
/// <para>Opt-in; one watch per process. An uncontended acquisition raises no event, so costs nothing; a short contention
/// costs the runtime's event and a dictionary update.</para>
/// <para>Each diagnosis stops the whole process while its dump is written: about a third of a second for a small
/// process, a second or more per few hundred MB of heap (a 600 MB dump took 1-4 s on a loaded machine); the dump takes
/// about the process's resident size in <c>/dev/shm</c> or the temporary directory until its analysis ends. So the watch
/// rations dumps, per lock and for the whole process. Per lock (review 71; before, per set of waiting threads, which a
/// lock passed round changes every turn): a lock whose long waits a dump showed to be no deadlock is not dumped again
/// for <see cref="PlainLockWatchOptions.MaxBackOff"/>, whoever waits on it. The key is the lock together with the lock
/// its holder waits on, if it waits on one (as the contention events tell): a cycle always has a thread that waits on a
/// second lock while it holds the first, so a deadlock that forms later on locks that were slow before has new keys,
/// and is dumped. For the whole process: after each analysis that published nothing new the next waits a pause that
/// starts at the threshold (at least 1 s) and doubles up to <see cref="PlainLockWatchOptions.MaxBackOff"/> (back to the
/// start after a finding, or once no long contention on a lock not rationed came for that long): with the defaults, at
/// most 6 dumps that find nothing in any minute, whatever the program does. A lock held long again and again (a slow
/// holder, not a deadlock), by whichever threads, thus costs one dump, then at most one per
/// <see cref="PlainLockWatchOptions.MaxBackOff"/>; the price is that a deadlock that forms while the watch pauses is
/// reported up to one pause later, and one whose every contention event looks like a slow holder's (its other waits are
/// not on a lock: a <c>Mutex</c>, a <c>Join</c>) on a lock dumped shortly before, up to
/// <see cref="PlainLockWatchOptions.MaxBackOff"/> later. A diagnosis that fails (the dump could not be written) is
/// retried while the waits last, after 1 s, then 2, 4, ... up to <see cref="PlainLockWatchOptions.MaxBackOff"/>.</para>
/// <para>A deadlock is published once, the first time a dump shows it, and only if the contentions of its cycle are
/// still on after the analysis: a cycle of <c>Monitor.TryEnter</c> waits that gave up meanwhile publishes nothing. The
/// same threads deadlocking again later (new waits) are published again. A deadlock already formed when the watch
/// starts raises no contention event: the warm-up dump (<see cref="PlainLockWatchOptions.WarmUp"/>) reports it, if it
/// has no <c>TryEnter</c> wait (whose end the watch could not see); with the warm-up off (or if that dump failed), only a
/// later contention past the threshold (another thread running into its locks) makes a dump that shows it.
/// <c>System.Threading.Lock.TryEnter</c> raises no event when it times out (.NET 10), so a possible cycle through one may
/// still be published after it gave up.</para>
/// <para>The watch runs on its own thread, so it works while the thread pool is starved. A dump has no name in the file
/// system (an unlinked file, written and read through this process's descriptor): however the process ends, a signal or
/// <c>kill -9</c> included, it leaves nothing behind. A watch that starts deletes the named dumps that watches of earlier
/// versions, killed meanwhile, left.</para>
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
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static PlainLockWatch? s_current;

    private readonly PlainLockWatchOptions _options;
    private readonly ContentionListener _listener;
    private readonly Thread _thread;
    private readonly Func<Action<string>, Diagnosis> _diagnose;

    // Set once by Dispose, from any thread (the watch's own included: a report handler may dispose the watch). Never
    // disposed: nobody asks for its wait handle, so it holds no kernel object, and a Set after the watch ended must not throw.
#pragma warning disable CA2213 // See above: disposing it would make Dispose unsafe from the watch's own thread.
    private readonly ManualResetEventSlim _stopping = new();
#pragma warning restore CA2213
    private int _disposed;

    // Guards _publishClosed and the changes to _published: the watch's thread records a finding under it, then publishes
    // it outside (handlers never run under it); Dispose closes publishing under it. A leaf lock.
    private readonly Lock _publishGate = new();

    // Set when the watch must publish nothing more: disposed on its own thread (by a handler), the process exiting, or a
    // Dispose from another thread that stopped waiting for a diagnosis and reported what it cut short (review 50).
    private volatile bool _publishClosed;

    // What the watch's thread is doing, for a Dispose that stops waiting for it (review 50): the stage of the diagnosis
    // under way (DiagnosisStage), since when (UTC ticks), and the waits it is about.
    private volatile int _stage;
    private long _stageSince;
    private ContentionWait[] _diagnosing = [];

    // The lock a marker thread blocks on while the watch's thread holds it, so that the runtime raises a contention
    // event the watch can wait for (CatchUp).
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(5);

    // TEST-ONLY hook (review 65), read once per watch: a directory named by the environment variable
    // BRIGADE_DOCTOR_TEST_HOLD_ANALYSIS. When it is set, each diagnosis, once its dump is written (and before it is
    // analyzed), creates the file "held" in that directory and waits until the file "release" exists there (or the watch is
    // disposed, or HoldFailsafe passes), so that a test can signal the program while the watch holds a dump, whatever the
    // machine's speed (PlainLockWatchTests.ASignalDuringADiagnosis_LeavesNoDumpBehind: on a quiet machine the analysis
    // ended before the signal came). Unset (every real use), nothing changes.
    internal const string HoldAnalysisVariable = "BRIGADE_DOCTOR_TEST_HOLD_ANALYSIS";
    private static readonly TimeSpan HoldFailsafe = TimeSpan.FromMinutes(2);
    private readonly string? _holdAnalysisForTests = Environment.GetEnvironmentVariable(HoldAnalysisVariable) is { Length: > 0 } hold ? hold : null;
    private readonly Lock _markerGate = new();

    // Guards _dumpDirectory and _exiting: the private directory of the dump being made, deleted at process exit. The dump
    // has a name only while it is created: the directory and the file are unlinked at once (DumpCapture.CaptureUnnamed).
    private readonly Lock _dumpGate = new();
    private string? _dumpDirectory;
    private bool _exiting;

    // Touched only by the watch's thread; _published also read by a Dispose that stopped waiting, so changed under _publishGate.
    private readonly Dictionary<long, long> _diagnosed = [];
    private readonly Dictionary<string, ContentionWait[]> _published = new(StringComparer.Ordinal);
    // Review 71: episode key (EpisodeKey: a lock, and the lock its holder waits on) -> when a dump showed its long waits
    // to be no deadlock. Its waits are not dumped again for MaxBackOff.
    private readonly Dictionary<string, long> _quietEpisodes = new(StringComparer.Ordinal);
    private long _notBefore;
    private int _quietStreak;
    private int _failures;
    private long _lastAnalysis;
    private long _lastHeldBack;
#pragma warning disable CA2213 // Like _stopping: no wait handle is ever made, and IsWarm may be read after Dispose.
    private readonly ManualResetEventSlim _warm = new();
#pragma warning restore CA2213
    private Diagnosis? _last;
    private int _diagnoses;

    private PlainLockWatch(PlainLockWatchOptions options, Func<Action<string>, Diagnosis>? diagnose)
    {
        _options = options;
        _diagnose = diagnose ?? DiagnoseSelf;
        Diagnostics = options.Diagnostics ?? PitfallDiagnostics.Default;
        _listener = new ContentionListener();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        _thread = new Thread(Loop) { IsBackground = true, Name = "brigade-plain-lock-watch" };
        _thread.Start();
    }

    /// <summary>Gets the active watch, or null.</summary>
    public static PlainLockWatch? Current => Volatile.Read(ref s_current);

    /// <summary>Gets the channel findings are published to.</summary>
    public PitfallDiagnostics Diagnostics { get; }

    /// <summary>Gets how long a contention must last before the process is diagnosed.</summary>
    public TimeSpan Threshold => _options.Threshold;

    /// <summary>Gets how many times the process was dumped and analyzed (the warm-up included).</summary>
    public int DiagnosesTaken => Volatile.Read(ref _diagnoses);

    /// <summary>Gets whether the watch is ready: started, and warmed up when <see cref="PlainLockWatchOptions.WarmUp"/> asked for it.</summary>
    public bool IsWarm => _warm.IsSet;

    /// <summary>Gets the latest diagnosis, or null.</summary>
    public Diagnosis? LastDiagnosis => Volatile.Read(ref _last);

    /// <summary>Whether the watch's thread still runs (tests: a diagnosis that Dispose stopped waiting for goes on).</summary>
    internal bool IsRunningForTests => _thread.IsAlive;

    /// <summary>Starts watching this process's lock contentions.</summary>
    /// <param name="options">Options; null for the defaults (1 s, <see cref="PitfallDiagnostics.Default"/>).</param>
    /// <returns>The watch; dispose it to stop.</returns>
    /// <exception cref="InvalidOperationException">A watch is already active.</exception>
    public static PlainLockWatch Start(PlainLockWatchOptions? options = null) => Start(options, diagnose: null);

    /// <summary>Starts a watch whose diagnoses are made by <paramref name="diagnose"/> (tests), or by dumping the process (null).</summary>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="diagnose">Makes a diagnosis; told the dump's directory as soon as it exists.</param>
    internal static PlainLockWatch Start(PlainLockWatchOptions? options, Func<Action<string>, Diagnosis>? diagnose)
    {
        lock (StartGate)
        {
            if (s_current is not null)
            {
                throw new InvalidOperationException("a PlainLockWatch is already active in this process; dispose it first");
            }

            var watch = new PlainLockWatch((options ?? new PlainLockWatchOptions()).Clone(), diagnose);
            Volatile.Write(ref s_current, watch);
            return watch;
        }
    }

    /// <summary>Stops watching. Safe from any thread, the watch's own included (a handler of
    /// <see cref="PitfallDiagnostics.Reported"/> runs on it), and more than once.</summary>
    /// <remarks>From another thread it waits (up to 30 s) for a diagnosis in progress to end, and that diagnosis's findings
    /// are published before it returns. If the diagnosis has not ended by then (a dump of a large process at load), it
    /// stops waiting, and nothing is lost silently: each cycle of lock waits the runtime's contention events show (every
    /// waiter's lock held by the next) is published as a deadlock seen live, saying that the dump was cut short (no stacks
    /// or source lines); other long waits are written to <see cref="System.Diagnostics.Trace"/>. The watch then publishes
    /// nothing more, and the dump is freed when its analysis ends. From the watch's thread it returns at once and the watch
    /// ends when the handler returns, publishing nothing more.</remarks>
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
        if (Thread.CurrentThread == _thread)
        {
            // A handler disposed the watch: the findings after this one are not published.
            ClosePublishing();
        }
        else if (!_thread.Join(_options.DisposeWait))
        {
            // Review 50: the diagnosis under way was left to end on its own and published nothing (a deadlock the watch
            // had seen formed was lost without a word at load, where a dump took 24 s). What it saw live is reported now.
            ClosePublishing();
            ReportCutShort();

            // Review 52: a dump still being written is stopped (its createdump killed), which frees it now; before, the
            // only step here deleted the dump's directory, which on Linux is unlinked as soon as it is made (the dump has
            // no name). That deletion is still what frees a named dump (other systems). An analysis under way keeps its
            // dump until it ends.
            Capture.CreateDumpChild.StopRunning(_thread);
            DeleteDumpInProgress(final: false);
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
    }

    /// <summary>Makes the watch's thread publish nothing more. A finding it recorded before (in <c>_published</c>, under
    /// the same lock) is still published: <see cref="ReportCutShort"/> then leaves its cycle out.</summary>
    private void ClosePublishing()
    {
        lock (_publishGate)
        {
            _publishClosed = true;
        }
    }

    /// <summary>
    /// Reports what the diagnosis that Dispose stopped waiting for was about (called once, after publishing was closed):
    /// each cycle among the lock waits still on, as the runtime's contention events show them (a waiter, the lock, its
    /// holder, itself waiting), is published as a deadlock seen live with a line saying the dump was cut short; the
    /// other long waits, or a diagnosis with none (the warm-up), are written to <see cref="System.Diagnostics.Trace"/>.
    /// </summary>
    private void ReportCutShort()
    {
        var stage = (DiagnosisStage)_stage;
        if (stage == DiagnosisStage.None)
        {
            System.Diagnostics.Trace.TraceWarning($"PlainLockWatch: disposed; its thread did not end within {Seconds(_options.DisposeWait)} (no diagnosis was under way)");
            return;
        }

        var now = DateTime.UtcNow.Ticks;
        var waits = new List<ContentionWait>();
        _listener.Snapshot(waits);
        var cut = CutShortLine(stage, TimeSpan.FromTicks(now - Interlocked.Read(ref _stageSince)), _options.DisposeWait);
        var cycles = LiveCycles(waits);

        // A deadlock the watch published (the same waits), or recorded just before publishing was closed and publishes
        // now, is not published again.
        var published = new HashSet<(long Thread, long Start)>();
        lock (_publishGate)
        {
            published.UnionWith(_published.Values.SelectMany(e => e).Select(w => (w.Thread, w.StartTicks)));
        }

        foreach (var cycle in cycles)
        {
            if (Array.TrueForAll(cycle, w => published.Contains((w.Thread, w.StartTicks))))
            {
                continue;
            }

            var report = LiveDeadlockReport(cycle, now, cut, ThreadName);
            DumpAnalyzer.Mark("watch: disposed mid-diagnosis; publishing the cycle seen live");
            Diagnostics.Publish(report);
        }

        var inCycles = cycles.SelectMany(c => c).Select(w => w.Thread).ToHashSet();
        var others = Volatile.Read(ref _diagnosing).Where(w => !inCycles.Contains(w.Thread)).ToArray();
        if (cycles.Count == 0 || others.Length > 0)
        {
            var about = others.Length == 0 ? "no lock waits (the warm-up, or waits that ended)"
                : string.Join("; ", others.Select(w => $"thread {ThreadLabel(w.Thread, ThreadName)} waited {Seconds(TimeSpan.FromTicks(now - w.StartTicks))} for lock {Hex(w.LockId)}{(w.Owner != 0 ? $" held by thread {ThreadLabel(w.Owner, ThreadName)}" : "")}"));
            System.Diagnostics.Trace.TraceWarning($"PlainLockWatch: {cut}; it was about {about}, in no cycle the contention events show");
        }
    }

    /// <summary>The stages of a diagnosis, as <see cref="ReportCutShort"/> names them.</summary>
    internal enum DiagnosisStage
    {
        /// <summary>No diagnosis under way.</summary>
        None = 0,

        /// <summary>The dump is being written (or, with a stand-in diagnosis, the whole diagnosis).</summary>
        Dump = 1,

        /// <summary>The dump is written and being analyzed.</summary>
        Analysis = 2,

        /// <summary>The analysis is over; its findings are being checked (are their waits still on?) and published.</summary>
        Publishing = 3,
    }

    /// <summary>The line of a report that says what Dispose cut short.</summary>
    internal static string CutShortLine(DiagnosisStage stage, TimeSpan stageFor, TimeSpan waited) =>
        stage switch
        {
            DiagnosisStage.Dump => $"the watch was disposed while it dumped the process ({Seconds(stageFor)} into the dump) and stopped waiting after {Seconds(waited)}: the dump was cut short, so there are no stacks, lock objects or source lines",
            DiagnosisStage.Analysis => $"the watch was disposed while it analyzed its dump ({Seconds(stageFor)} into the analysis) and stopped waiting after {Seconds(waited)}: the analysis was cut short, so there are no stacks, lock objects or source lines",
            _ => $"the watch was disposed while it checked the findings of its dump and stopped waiting after {Seconds(waited)}: those were not published, so there are no stacks, lock objects or source lines",
        };

    /// <summary>
    /// The cycles among lock waits, as the runtime's contention events tell them: a thread waits on a lock held by a thread
    /// (<see cref="ContentionWait.Owner"/>) that waits on a lock held by ... the first. Each cycle once, in the order its
    /// waits follow each other, starting with its lowest thread id.
    /// </summary>
    internal static List<ContentionWait[]> LiveCycles(IReadOnlyList<ContentionWait> waits)
    {
        var byThread = new Dictionary<long, ContentionWait>();
        foreach (var wait in waits)
        {
            byThread[wait.Thread] = wait;
        }

        var cycles = new List<ContentionWait[]>();
        var seen = new HashSet<long>();
        foreach (var start in waits.Select(w => w.Thread).Order())
        {
            var path = new List<ContentionWait>();
            var onPath = new Dictionary<long, int>();
            var thread = start;
            while (!seen.Contains(thread) && byThread.TryGetValue(thread, out var wait))
            {
                seen.Add(thread);
                onPath[thread] = path.Count;
                path.Add(wait);
                thread = wait.Owner;
            }

            if (onPath.TryGetValue(thread, out var from))
            {
                var cycle = path.Skip(from).ToArray();
                var first = Array.IndexOf(cycle, cycle.MinBy(w => w.Thread));
                cycles.Add([.. cycle.Skip(first), .. cycle.Take(first)]);
            }
        }

        return cycles;
    }

    /// <summary>The deadlock report of a cycle seen live (<see cref="LiveCycles"/>): the prefix and counts of the
    /// dump's report, each wait with its thread, lock and holder, then <paramref name="cutShort"/>.</summary>
    internal static DoctorReport LiveDeadlockReport(ContentionWait[] cycle, long nowTicks, string cutShort, Func<long, string?> threadName)
    {
        var links = string.Join("; ", cycle.Select(w =>
            $"thread {ThreadLabel(w.Thread, threadName)} has waited {Seconds(TimeSpan.FromTicks(nowTicks - w.StartTicks))} to enter lock {Hex(w.LockId)}, held by thread {ThreadLabel(w.Owner, threadName)}"));
        var message = $"Deadlock detected: {cycle.Length} threads wait for each other in a cycle (lock/Monitor), seen live in the runtime's contention events: {links}. " +
            $"Note: {cutShort}; `brigade doctor --pid {Environment.ProcessId}` shows them while the threads stay stuck. " +
            "A System.Threading.Lock.TryEnter wait in the cycle may have given up since (.NET 10 raises no event when it times out).";
        var threads = cycle.Select(w => new DiagnosedThread(0, unchecked((uint)w.Thread), threadName(w.Thread), isThreadPoolWorker: false, isIdle: false, wait: null, frames: [])).ToArray();
        return new DoctorReport(PitfallKind.Deadlock, message, DateTimeOffset.UtcNow, threads);
    }

    private static string ThreadLabel(long osThread, Func<long, string?> threadName) =>
        threadName(osThread) is { Length: > 0 } name ? $"'{name}' (OS id {osThread})" : $"OS id {osThread}";

    /// <summary>A thread's name as the kernel keeps it (its first 15 characters), or null once it ended.</summary>
    private static string? ThreadName(long osThread)
    {
        try
        {
            return File.ReadAllText($"/proc/self/task/{osThread}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Hex(long value) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"0x{value:x}");

    private static string Seconds(TimeSpan time) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.0} s");

    private void EnterStage(DiagnosisStage stage)
    {
        Interlocked.Exchange(ref _stageSince, DateTime.UtcNow.Ticks);
        _stage = (int)stage;
    }

    /// <summary>Deletes the directory of the dump being made, and lets no new one start (the process is exiting).</summary>
    internal void OnProcessExit(object? sender, EventArgs e)
    {
        _stopping.Set();
        _publishClosed = true;
        DeleteDumpInProgress(final: true);
    }

    private void DeleteDumpInProgress(bool final)
    {
        lock (_dumpGate)
        {
            _exiting |= final;
            if (_dumpDirectory is { } directory)
            {
                DumpCapture.TryDelete(directory);
                _dumpDirectory = null;
            }
        }
    }

    internal void DumpStarted(string directory) => DumpStarted(directory, create: null);

    /// <summary>Records the dump's directory and creates it, both under the lock the exit handler takes: a process that
    /// exits finds the directory recorded (and deletes it) or none made (review 46: created before it was recorded, a
    /// directory outlived a process that exited in between).</summary>
    internal void DumpStarted(string directory, Action? create)
    {
        lock (_dumpGate)
        {
            if (_exiting)
            {
                throw new DoctorException(DoctorErrorKind.DumpFailed, "the process is exiting: no dump is taken");
            }

            _dumpDirectory = directory;
            create?.Invoke();
        }
    }

    private Diagnosis DiagnoseSelf(Action<string> dumpStarted)
    {
        // dumpStarted is this watch's DumpStarted: called here with the directory's creation, to make both one step.
        _ = dumpStarted;
        var settings = new DoctorOptions { DumpDirectory = _options.DumpDirectory };
        var watch = Stopwatch.StartNew();
        var (path, file) = DumpCapture.CaptureUnnamed(Environment.ProcessId, settings, (d, create) => DumpStarted(d, create));
        var dumpDuration = watch.Elapsed;
        EnterStage(DiagnosisStage.Analysis);
        using (file)
        {
            HoldAnalysisForTests();
            // The dump has no name: closing its descriptor (here, or the process ending, however) frees it.
            return DumpAnalyzer.Analyze(path, settings, Environment.ProcessId, dumpDuration, keptAt: null);
        }
    }

    /// <summary>The test-only hold (see <see cref="HoldAnalysisVariable"/>): with the variable unset, returns at once.</summary>
    private void HoldAnalysisForTests()
    {
        if (_holdAnalysisForTests is not { } directory)
        {
            return;
        }

        try
        {
            File.WriteAllText(Path.Combine(directory, "held"), $"{Environment.ProcessId}\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A hold nobody can see is no hold: the diagnosis goes on rather than fail.
            return;
        }

        var release = Path.Combine(directory, "release");
        var held = Stopwatch.StartNew();
        while (!File.Exists(release) && held.Elapsed < HoldFailsafe && !_stopping.Wait(20))
        {
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

    /// <summary>
    /// Waits (at most <see cref="CatchUpLimit"/>) until the listener has the contention events raised before now: they
    /// come through the runtime's event pipe, late on a loaded machine. A marker thread blocks on a lock this thread
    /// holds, then gets it; the listener receives events in time order, so once the marker's <c>ContentionStop</c>
    /// arrived, every earlier event has.
    /// </summary>
    private void CatchUp()
    {
        var seen = _listener.MarkersSeen;
        var waited = Stopwatch.StartNew();
        var entering = 0;
        var marker = new Thread(() =>
        {
            _listener.MarkerThread = CurrentOsThreadId();
            Volatile.Write(ref entering, 1);
            lock (_markerGate)
            {
            }
        })
        { IsBackground = true, Name = "brigade-plain-lock-watch-marker" };
        lock (_markerGate)
        {
            marker.Start();
            while (!(Volatile.Read(ref entering) == 1 && (marker.ThreadState & System.Threading.ThreadState.WaitSleepJoin) != 0) && waited.Elapsed < CatchUpLimit)
            {
                Thread.Sleep(1);
            }
        }

        marker.Join(CatchUpLimit);
        while (_listener.MarkersSeen == seen && waited.Elapsed < CatchUpLimit)
        {
            Thread.Sleep(5);
        }
    }

    private void Watch()
    {
        _listener.IgnoredThread = CurrentOsThreadId();
        SweepStaleDumps(_options.DumpDirectory);
        var waits = new List<ContentionWait>();
        if (_options.WarmUp)
        {
            // The warm-up compiles the analysis and loads the data-access library, so that a real diagnosis later runs
            // warm; and it is the only chance to see a deadlock formed before the watch started (no event comes for it).
            _listener.Snapshot(waits);
            DumpAnalyzer.Mark("watch: warm-up");
            Diagnose(waits, warmUp: true);
        }

        _warm.Set();
        var interval = TimeSpan.FromTicks(Math.Clamp(_options.Threshold.Ticks / 10, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromMilliseconds(100).Ticks));
        while (!_stopping.Wait(interval))
        {
            _listener.Snapshot(waits);
            Forget(waits);
            var now = DateTime.UtcNow.Ticks;
            var maxBackOff = _options.MaxBackOff.Ticks;
            var due = false;
            foreach (var wait in waits)
            {
                // A long wait not diagnosed yet is due, unless its lock's long waits were dumped and showed nothing less
                // than MaxBackOff ago (review 71: whoever waits; a lock passed round has new waiters every turn).
                if (now - wait.StartTicks >= _options.Threshold.Ticks && (!_diagnosed.TryGetValue(wait.Thread, out var seen) || seen != wait.StartTicks)
                    && !(_quietEpisodes.TryGetValue(EpisodeKey(wait, waits), out var quietAt) && now - quietAt < maxBackOff))
                {
                    due = true;
                    break;
                }
            }

            if (!due)
            {
                continue;
            }

            if (_quietStreak > 0 && now - Math.Max(_lastAnalysis, _lastHeldBack) >= maxBackOff)
            {
                // No long contention for a whole MaxBackOff: the slow phase is over, pauses start short again.
                _quietStreak = 0;
                _notBefore = 0;
            }

            if (now < _notBefore)
            {
                // Rationed: these waits stay due, and are diagnosed when the pause ends if they still last.
                _lastHeldBack = now;
                continue;
            }

            DumpAnalyzer.Mark("watch: contention past threshold");
            Diagnose(waits, warmUp: false);
        }
    }

    /// <summary>Deletes the named dumps that watches (of earlier Brigade versions) of processes killed meanwhile left.</summary>
    private static void SweepStaleDumps(string? dumpDirectory)
    {
        var deleted = DumpCapture.SweepStale(dumpDirectory);
        if (deleted > 0)
        {
            DumpAnalyzer.Mark($"watch: deleted {deleted} dumps of ended processes");
        }
    }

    /// <summary>Dumps and analyzes the process, publishes the findings whose waits still last, and schedules the next
    /// diagnosis: the warm-up neither rations nor retries.</summary>
    private void Diagnose(List<ContentionWait> waits, bool warmUp)
    {
        var before = waits.ToArray();
        var dumpStart = DateTime.UtcNow.Ticks;
        _listener.TrackEnds();
        Volatile.Write(ref _diagnosing, before);
        EnterStage(DiagnosisStage.Dump);
        try
        {
            Diagnosis diagnosis;
            try
            {
                diagnosis = _diagnose(DumpStarted);
                EnterStage(DiagnosisStage.Publishing);
            }
#pragma warning disable CA1031 // The watch must keep running: a failed dump (ptrace forbidden, disk full) is not the program's failure.
            catch (Exception e)
#pragma warning restore CA1031
            {
                System.Diagnostics.Trace.TraceWarning($"PlainLockWatch: could not diagnose the process{(warmUp ? " (warm-up)" : "")}: {e.Message}");
                if (!warmUp)
                {
                    // The waits are not marked diagnosed: they are tried again, later and later, while they last.
                    _notBefore = DateTime.UtcNow.Ticks + Pause(FirstRetry.Ticks, _failures++, _options.MaxBackOff.Ticks);
                }

                return;
            }
            finally
            {
                DeleteDumpInProgress(final: false);
            }

            _failures = 0;
            foreach (var wait in before)
            {
                _diagnosed[wait.Thread] = wait.StartTicks;
            }

            Interlocked.Increment(ref _diagnoses);
            Volatile.Write(ref _last, diagnosis);
            var published = Publish(diagnosis, before, dumpStart);
            ForgetWaitsShownOver(diagnosis, before, dumpStart);
            _lastAnalysis = DateTime.UtcNow.Ticks;
            if (warmUp)
            {
                return;
            }

            if (published)
            {
                _quietStreak = 0;
                _notBefore = 0;
                foreach (var wait in before)
                {
                    _quietEpisodes.Remove(EpisodeKey(wait, before));
                }
            }
            else
            {
                // Nothing new (a slow holder, a TryEnter that gave up, a deadlock published before): the next dump waits.
                _notBefore = _lastAnalysis + Pause(Math.Max(_options.Threshold.Ticks, TimeSpan.TicksPerSecond), _quietStreak++, _options.MaxBackOff.Ticks);
                QuietEpisodes(diagnosis, before, dumpStart);
            }
        }
        finally
        {
            _stage = (int)DiagnosisStage.None;
            Volatile.Write(ref _diagnosing, []);
            _listener.StopTrackingEnds();
        }
    }

    /// <summary>
    /// Review 71: records the keys (<see cref="EpisodeKey"/>) of the long waits of a dump that published nothing new, so
    /// that their locks are not dumped again for <see cref="PlainLockWatchOptions.MaxBackOff"/>, whoever waits on them.
    /// Not the waits of a thread in a deadlock the dump showed (not published: its waits ended, or it was published
    /// before): a cycle of <c>TryEnter</c>s that gave up may form again for good on the same locks.
    /// </summary>
    private void QuietEpisodes(Diagnosis diagnosis, ContentionWait[] before, long dumpStart)
    {
        var inCycles = diagnosis.Reports.Where(r => r.Kind == PitfallKind.Deadlock).SelectMany(r => r.Threads).Select(t => (long)t.OSThreadId).ToHashSet();
        if (_quietEpisodes.Count >= 256)
        {
            var expired = _quietEpisodes.Where(e => _lastAnalysis - e.Value >= _options.MaxBackOff.Ticks).Select(e => e.Key).ToList();
            foreach (var key in expired)
            {
                _quietEpisodes.Remove(key);
            }

            if (_quietEpisodes.Count >= 4096)
            {
                // Thousands of slow locks within MaxBackOff: the pauses ration them.
                _quietEpisodes.Clear();
            }
        }

        foreach (var wait in before)
        {
            if (dumpStart - wait.StartTicks >= _options.Threshold.Ticks && !inCycles.Contains(wait.Thread))
            {
                _quietEpisodes[EpisodeKey(wait, before)] = _lastAnalysis;
            }
        }
    }

    /// <summary>Publishes the reports not published yet whose waits still last; returns whether it published any.</summary>
    private bool Publish(Diagnosis diagnosis, ContentionWait[] before, long dumpStart)
    {
        if (diagnosis.Reports.Any(r => r.Kind == PitfallKind.Deadlock))
        {
            // The ends of the cycle's waits may still be on their way: let them arrive before checking.
            CatchUp();
        }

        var after = new List<ContentionWait>();
        _listener.Snapshot(after);
        var published = false;
        foreach (var report in diagnosis.Reports)
        {
            if (!StillOn(report, diagnosis, after, dumpStart))
            {
                continue;
            }

            // A deadlock lasts: publish each finding once, not at every contention that runs into it; but the same
            // threads deadlocking again (new waits, new start times) is a new finding.
            var episodes = report.Threads.Select(t => Array.Find(before, w => w.Thread == t.OSThreadId)).Where(w => w.Thread != 0).ToArray();
            var key = $"{report.Code}:{string.Join(',', report.Threads.Select(t => Episode(t, episodes)).Order(StringComparer.Ordinal))}";
            bool added;
            lock (_publishGate)
            {
                if (_publishClosed)
                {
                    // Disposed by a handler (on this thread), or by a Dispose that stopped waiting and reported what it
                    // cut short, or the process exits: nothing more is published. Review 50: a Dispose from another
                    // thread that waits for this diagnosis no longer silences it (it checked _stopping, set by every Dispose).
                    return published;
                }

                added = _published.TryAdd(key, episodes);
            }

            if (added)
            {
                // Outside the lock: handlers run user code (and may dispose the watch).
                published = true;
                Diagnostics.Publish(report);
            }
        }

        return published;
    }

    /// <summary>
    /// Review 51: forgets the recorded waits, long before the dump started, whose thread the dump shows waiting on no
    /// lock. A <c>System.Threading.Lock.TryEnter</c> that times out raises no <c>ContentionStop</c> (.NET 10), so its wait
    /// stayed recorded until the thread's next contention, forever if the thread ended: a Dispose that stopped waiting
    /// for a diagnosis then put it in a cycle "seen live" (the thread that gave up, still holding a lock another waits
    /// on, published as deadlocked), and it stayed in every later set of long waits. A diagnosis that shows no threads
    /// at all (a stand-in) tells nothing.
    /// </summary>
    private void ForgetWaitsShownOver(Diagnosis diagnosis, ContentionWait[] before, long dumpStart)
    {
        if (diagnosis.Threads.Count == 0)
        {
            return;
        }

        foreach (var wait in before)
        {
            if (dumpStart - wait.StartTicks < _options.Threshold.Ticks)
            {
                // A young wait may still be spinning, before it blocks: the dump need not show it.
                continue;
            }

            var shown = diagnosis.Threads.FirstOrDefault(t => t.OSThreadId == wait.Thread);
            if (shown?.Wait?.Kind is WaitKind.Monitor or WaitKind.Lock or WaitKind.MonitorWait)
            {
                continue;
            }

            if (_listener.Forget(wait))
            {
                DumpAnalyzer.Mark($"watch: forgot the wait of thread {wait.Thread} on lock {Hex(wait.LockId)}: the dump shows it waiting on no lock (an ended Lock.TryEnter raises no event)");
            }
        }
    }

    /// <summary>The <paramref name="step"/>-th pause of a series that starts at <paramref name="first"/> and doubles up to <paramref name="max"/>.</summary>
    private static long Pause(long first, int step, long max)
    {
        var pause = Math.Min(first, max);
        for (var i = 0; i < step && pause < max; i++)
        {
            pause = pause > max / 2 ? max : pause * 2;
        }

        return pause;
    }

    private static string Episode(DiagnosedThread thread, ContentionWait[] episodes)
    {
        var wait = Array.Find(episodes, w => w.Thread == thread.OSThreadId);
        return wait.Thread == 0 ? $"{thread.ManagedThreadId}" : $"{thread.ManagedThreadId}@{wait.StartTicks}";
    }

    /// <summary>
    /// Whether the lock waits of a deadlock's cycle still last: none ended since the dump started (the runtime's
    /// <c>ContentionStop</c>, or a newer <c>ContentionStart</c> of the same thread). For a possible cycle (a
    /// <c>TryEnter</c>, which gives up), each of them must also be seen to last: a wait that started before the watch
    /// cannot be. Other reports, and waits that raise no contention events, are taken as the dump shows them.
    /// </summary>
    private bool StillOn(DoctorReport report, Diagnosis diagnosis, List<ContentionWait> after, long dumpStart)
    {
        if (report.Kind != PitfallKind.Deadlock)
        {
            return true;
        }

        var threads = report.Threads.Select(t => t.ManagedThreadId).ToHashSet();
        var cycle = diagnosis.Deadlocks.FirstOrDefault(c => c.Links.Count > 0 && threads.SetEquals(c.Threads.Select(t => t.ManagedThreadId)));
        if (cycle is null)
        {
            return true;
        }

        foreach (var link in cycle.Links)
        {
            if (link.Waiter.Wait?.Kind is not (WaitKind.Monitor or WaitKind.Lock))
            {
                continue;
            }

            long thread = link.Waiter.OSThreadId;
            if (_listener.EndedSince(thread, dumpStart))
            {
                return false;
            }

            var now = after.Find(w => w.Thread == thread);
            if (now.Thread != 0 && now.StartTicks > dumpStart)
            {
                return false;
            }

            if (now.Thread == 0 && cycle.IsPossible)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Forgets what is over: the diagnosed waits that ended, and the published deadlocks whose waits ended
    /// (so that the same threads deadlocking again are published again).</summary>
    private void Forget(List<ContentionWait> waits)
    {
        List<long>? ended = null;
        foreach (var (thread, start) in _diagnosed)
        {
            if (!waits.Exists(w => w.Thread == thread && w.StartTicks == start))
            {
                (ended ??= []).Add(thread);
            }
        }

        foreach (var thread in ended ?? [])
        {
            _diagnosed.Remove(thread);
        }

        List<string>? over = null;
        foreach (var (key, episodes) in _published)
        {
            if (episodes.Length > 0 && !Array.TrueForAll(episodes, e => waits.Contains(e)))
            {
                (over ??= []).Add(key);
            }
        }

        if (over is not null)
        {
            lock (_publishGate)
            {
                // Under the gate: a Dispose that stopped waiting reads _published (ReportCutShort).
                foreach (var key in over)
                {
                    _published.Remove(key);
                }
            }
        }
    }

    /// <summary>
    /// Review 71: names the episode a wait belongs to, for rationing: the lock it waits on, and the lock its holder waits
    /// on (as the contention events tell), if another one. Not the waiting thread, nor since when: a slow holder's next
    /// turn, whichever threads wait, has the same name. A cycle always has a thread that waits on a second lock while
    /// it holds the first, so its waits have new names even on locks that were slow before. The holder is the one when
    /// the wait started: one that let go meanwhile and waits on the same lock again is no holder. A wait whose event
    /// carried no lock id is named by its thread.
    /// </summary>
    internal static string EpisodeKey(ContentionWait wait, IReadOnlyList<ContentionWait> waits)
    {
        if (wait.LockId == 0)
        {
            return $"thread {wait.Thread}";
        }

        foreach (var other in waits)
        {
            if (wait.Owner != 0 && other.Thread == wait.Owner && other.LockId != wait.LockId)
            {
                return $"{Hex(wait.LockId)}<{(other.LockId == 0 ? "?" : Hex(other.LockId))}";
            }
        }

        return Hex(wait.LockId);
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
