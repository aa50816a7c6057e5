using System.Runtime;
using Brigade.Engines;
using Brigade.Internal;

namespace Brigade.Auto;

/// <summary>
/// One auto-mode worker loop's measurements: wall, thread CPU, run-queue wait, GC pauses and allocations around each
/// batch's items, accumulated for the controller; plus what the controller needs to look at a batch still running.
/// </summary>
/// <remarks>
/// Readings are taken by <see cref="OnBatchStart"/> and <see cref="OnBatchEnd"/>, which <see cref="EngineWorker"/> calls
/// right around the items, so taking input and delivering results (which may wait for a slow stream reader) are not
/// measured as the work's time. The loop then calls <see cref="Complete"/> to fold the batch into the totals.
/// </remarks>
internal sealed class AutoWorker : IBatchHook, IDisposable
{
    // The OS thread id is a system call away; a thread keeps it for life.
    [ThreadStatic]
    private static int _cachedThreadId;

    private readonly TimeProvider _time;
    private readonly bool _asyncWork;
    private readonly long _minMeasuredTimestamps;
    private readonly ExternalCpuTime.CpuAccount _account = new();
    private readonly LockWaitSink _primitiveWaits = new();

    // Guards _totals: the loop adds a batch while the controller reads them.
    private readonly Lock _totalsGate = new();
    private WorkSample _totals;

    private ThreadSchedStat? _schedStat;

    // Readings of the current batch, written by the loop (the end may come from another thread for asynchronous work).
    private int _startThread;
    private long _t0;
    private long _cpu0;
    private long _alloc0;
    private long _pause0;
    private int _gc0;
    private long _rq0;
    private long _ext0;
    private long _extRq0;
    private long _t1;
    private long _cpu1;
    private long _alloc1;
    private long _pause1;
    private long _rq1;
    private long _ext1;
    private long _extRq1;
    private long _jit0 = -1;
    private long _jit1 = -1;
    private long _processJit0 = -1;
    private long _processJit1 = -1;
    private int _endThread;
    private volatile bool _ended;
    private bool _measuring;
    private bool _returnedIncomplete;
    private bool _endedBeforeReturn;
    private long _cpuAtReturn;
    private long _tReturn;

    // Whether the current batch ran alone among the run's workers (BatchOverlap), read at its end.
    private BatchOverlap.Ticket _overlapTicket;
    private bool _entered;
    private bool _solo;

    // The last batch in flight reported CPU time used elsewhere (ExternalCpuTime: a child process): its next one is read
    // like a measured one, so the CPU it causes is never estimated from items that did not report it.
    private bool _externalSeen;

    // What the controller reads about a batch in progress.
    private long _inBatchSince;
    private long _batchSeq;
    private volatile int _threadId;
    private volatile bool _inFlight;
    private int _currentBatchCount = 1;

    public AutoWorker(int id, LoopKind kind, TimeProvider time, bool asyncWork)
    {
        Id = id;
        Kind = kind;
        _time = time;
        _asyncWork = asyncWork;
        _minMeasuredTimestamps = (long)(AutoTuning.MinMeasuredBatch.TotalSeconds * time.TimestampFrequency);
    }

    public int Id { get; }

    /// <summary>Gets the plain-lock waits inside this worker's batches (timed once the controller watches its thread).</summary>
    public BatchLockWaits LockWaits { get; } = new();

    /// <summary>Gets the time this worker's items waited on Brigade's primitives (waits begun inside its batches, see
    /// <see cref="LockWaitSink"/>), in ticks, finished waits only.</summary>
    public long PrimitiveWaitTicks => _primitiveWaits.Ticks;

    /// <summary>Gets the sink behind <see cref="PrimitiveWaitTicks"/>, which the loop makes its <see cref="EngineWorker.WaitSink"/>:
    /// current on the batch's thread during each batch's synchronous part (the run's losses sum it too).</summary>
    public LockWaitSink PrimitiveWaits => _primitiveWaits;

    public LoopKind Kind { get; }

    /// <summary>Gets or sets the run's record of which batches ran alone (see <see cref="BatchOverlap"/>); none: never alone.</summary>
    public BatchOverlap? Overlap { get; init; }

    /// <summary>Gets the worker's account for <see cref="ExternalCpuTime"/>.</summary>
    public ExternalCpuTime.CpuAccount Account => _account;

    /// <summary>Gets or sets whether the next batch is measured: CPU clock and run-queue wait read at both ends (a few µs).</summary>
    public bool Measure { get; set; } = true;

    /// <summary>Gets or sets whether the next batch, if it is an asynchronous item that goes in flight, reads the thread's CPU
    /// clock around its synchronous part even when <see cref="Measure"/> is off. The two readings cost 2.7 µs on a VM
    /// (1.37 µs a system call), as much as the synchronous part of a <c>Task.Delay</c> item and more than its task: 20,000 of
    /// them spent 55 ms of CPU on it. Unread items count in flight with their wall time only
    /// (<see cref="WorkSample.PendingUnmeasuredItems"/>); the CPU per item comes from the read ones.</summary>
    public bool MeasureInFlight { get; set; } = true;

    /// <summary>Gets or sets the plan generation the loop last adapted to.</summary>
    public long Generation { get; set; } = -1;

    /// <summary>Gets or sets whether the worker's first batch is behind it.</summary>
    public bool WarmedUp { get; set; }

    /// <summary>Gets or sets whether the worker left because its plan shrank (its slot is already given back).</summary>
    public bool LeftByShrink { get; set; }

    /// <summary>Gets the timestamp at which the current batch's items started, or 0 between batches.</summary>
    public long InBatchSince => Volatile.Read(ref _inBatchSince);

    /// <summary>Gets a number that changes with every batch.</summary>
    public long BatchSeq => Volatile.Read(ref _batchSeq);

    /// <summary>Gets the thread CPU time (ticks) read when the current batch started, or -1.</summary>
    public long StartCpu => Volatile.Read(ref _cpu0);

    /// <summary>Gets the run-queue wait (ticks) read when the current batch started, or -1 when not read.</summary>
    public long StartRunQueue => Volatile.Read(ref _rq0);

    /// <summary>Gets the number of garbage collections when the current batch started: a collection under way is counted at its start, its pause only at its end.</summary>
    public int StartGcCount => Volatile.Read(ref _gc0);

    /// <summary>Gets the GC pause total (ticks) read when the current batch started.</summary>
    public long StartPause => Volatile.Read(ref _pause0);

    /// <summary>Gets or sets the item count of the batch the loop is running, set before it runs.</summary>
    public int CurrentBatchCount
    {
        get => Volatile.Read(ref _currentBatchCount);
        set => Volatile.Write(ref _currentBatchCount, value);
    }

    /// <summary>Gets the OS thread id that started the current batch.</summary>
    public int ThreadId => _threadId;

    /// <summary>Gets whether the current batch is an asynchronous item in flight (its work returned an unfinished task).</summary>
    public bool InFlight => _inFlight;

    /// <summary>Gets the duration of the last completed batch, in ticks, to decide whether the next is worth a run-queue reading.</summary>
    public long LastBatchTicks { get; private set; }

    public WorkSample Totals
    {
        get
        {
            lock (_totalsGate)
            {
                return _totals;
            }
        }
    }

    // Order of readings: the run-queue wait and the CPU clock around the wall clock (read before it at the start and after
    // it at the end), so that their intervals hold the whole of the wall time's: nothing the thread did or waited for in
    // a batch is on neither clock, and an item's own waits are what is left. What is not a reading (the thread id, opening
    // the thread's procfs file: a file open, and in a young process compiling the code that does it) and the other
    // counters come before all of them: between the wall clock and the CPU clock, their CPU time would count as waiting,
    // and made trivial items look like blocking I/O in fresh processes, and on loaded machines (review 48).
    public void OnBatchStart()
    {
        var tid = _cachedThreadId;
        if (tid == 0)
        {
            _cachedThreadId = tid = ThreadSchedStat.CurrentThreadId();
        }

        _measuring = Measure;

        // What an earlier item left tracked (ExternalCpuTime.Track not disposed) is not this batch's.
        _account.ClearRunning();

        // A worker's first batch reads only the CPU clock: enough to inspect a long first item from outside (a
        // blocked thread's unexplained time is waiting either way), and it is usually a short warm-up batch.
        var readRunQueue = _measuring && tid > 0 && Volatile.Read(ref _batchSeq) > 0;
        if (readRunQueue)
        {
            _schedStat = ThreadSchedStat.ForCurrentThread(tid);
        }

        // Entered before the first reading and left after the last: a batch counts as alone only if it was for all of them.
        if (Overlap is { } overlap)
        {
            if (_entered)
            {
                // The last batch never ended (it threw past the hook): its place is given back, or no batch would run alone again.
                overlap.Leave(_overlapTicket);
            }

            _overlapTicket = overlap.Enter();
            _entered = true;
        }

        _startThread = Environment.CurrentManagedThreadId;
        _ended = false;
        _returnedIncomplete = false;
        _inFlight = false;
        _threadId = tid;

        // The counters first, outside every interval: their cost (microseconds at a high load) counts nowhere.
        _alloc0 = GC.GetAllocatedBytesForCurrentThread();
        _pause0 = GC.GetTotalPauseDuration().Ticks;
        _gc0 = GC.CollectionCount(0);
        _ext0 = _account.Ticks;
        _extRq0 = _account.RunQueueTicks;

        _jit0 = _measuring ? JitInfo.GetCompilationTime(currentThread: true).Ticks : -1;
        _processJit0 = _measuring ? JitInfo.GetCompilationTime(currentThread: false).Ticks : -1;

        // Then the run-queue wait and the CPU clock, and the wall clock last: every wait for a core from here on is in the
        // run-queue figure and every instant of CPU on the CPU clock, so that the wall time has nothing in it that is on
        // neither (review 48). Read after the wall clock, the run-queue file's read and the counters above were CPU time
        // on neither clock, counted as the items' own waits: a few microseconds, nothing beside a batch's own time, except
        // that the batches of tiny items measured at all (25 µs or longer) are, on a loaded machine, the ones that waited
        // for a core, and once that wait came off, those microseconds beside x + 1's one read "blocking I/O (cpu/wall 0.10)"
        // (ci119 at load 30). Read this way, a wait at a reading's return counts as waiting for a core (or as CPU) where it
        // may have been neither: the readings err toward computation, which is what unmeasured batches count as anyway.
        _rq0 = readRunQueue ? _schedStat?.RunQueueWaitTicks() ?? -1 : -1;

        // Asynchronous items read the CPU clock unless told not to (MeasureInFlight): the CPU time of their synchronous part
        // is their measurement.
        _cpu0 = _measuring || (_asyncWork && (MeasureInFlight || _externalSeen)) ? ThreadCpuTime.NowTicks() : -1;
        _t0 = _time.GetTimestamp();
        LockWaits.BatchStarted(tid);
        Interlocked.Increment(ref _batchSeq);
        Volatile.Write(ref _inBatchSince, _t0);
    }

    public void OnBatchEnd()
    {
        _endThread = Environment.CurrentManagedThreadId;
        LockWaits.BatchEnded();

        // A batch that turned out shorter than AutoTuning.MinMeasuredBatch (25 µs) is not worth its end readings (more
        // than it measured); it only counts items and wall time. Its start readings were still needed: a batch is only
        // short in hindsight.
        // The start's order reversed: the wall clock first, then the CPU clock and the run-queue wait, whose intervals hold
        // the wall time's whole (see OnBatchStart), then the counters, outside them all.
        _t1 = _time.GetTimestamp();
        var sameThread = _endThread == _startThread;
        var same = sameThread && _t1 - _t0 >= _minMeasuredTimestamps;
        _cpu1 = same && _cpu0 >= 0 ? ThreadCpuTime.NowTicks() : -1;
        _rq1 = same && _rq0 >= 0 && _schedStat is { } s ? s.RunQueueWaitTicks() : -1;
        _jit1 = same && _jit0 >= 0 ? JitInfo.GetCompilationTime(currentThread: true).Ticks : -1;
        _processJit1 = same && _processJit0 >= 0 ? JitInfo.GetCompilationTime(currentThread: false).Ticks : -1;
        _alloc1 = sameThread ? GC.GetAllocatedBytesForCurrentThread() : _alloc0;
        _pause1 = GC.GetTotalPauseDuration().Ticks;
        _ext1 = _account.Ticks;
        _extRq1 = _account.RunQueueTicks;
        _solo = _entered && Overlap!.Leave(_overlapTicket);
        _entered = false;
        Volatile.Write(ref _inBatchSince, 0);
        _ended = true;
    }

    // The worker's measuring hook (EngineWorker.MeasureHook): readings right around the items.
    object? IBatchHook.Enter(EngineWorker worker, ref object? slot)
    {
        OnBatchStart();
        return null;
    }

    void IBatchHook.Exit(EngineWorker worker, object? slot, object? entered, int ran) => OnBatchEnd();

    /// <summary>Called by an async loop when the batch's task did not complete synchronously.</summary>
    public void Returned()
    {
        _returnedIncomplete = true;
        _endedBeforeReturn = _ended;
        _cpuAtReturn = _cpu0 >= 0 ? ThreadCpuTime.NowTicks() : -1;
        _tReturn = _time.GetTimestamp();
        if (!_endedBeforeReturn)
        {
            _inFlight = true;
        }
    }

    /// <summary>Folds the finished batch into the totals, or into <paramref name="divert"/> when it must not count.</summary>
    /// <param name="count">The batch's item count.</param>
    /// <param name="divert">When not null, receives the batch's sample instead of the totals (a warm-up batch).</param>
    /// <returns>The batch's sample.</returns>
    public WorkSample Complete(int count, Func<WorkSample, bool>? divert = null)
    {
        _inFlight = false;
        var wall = _time.GetElapsedTime(_t0, _t1).Ticks;
        LastBatchTicks = wall;
        var external = _ext1 - _ext0;
        WorkSample sample;
        var pending = _returnedIncomplete && (!_endedBeforeReturn || _endThread != _startThread);
        if (pending && _cpu0 < 0)
        {
            // In flight, its synchronous part not read (MeasureInFlight off): its wall time in flight counts, and the
            // synchronous part's wall time decides whether the next batch is read (a long one is).
            _externalSeen = external > 0;
            LastBatchTicks = Math.Max(0, _time.GetElapsedTime(_t0, _tReturn).Ticks);
            sample = new WorkSample { PendingItems = count, PendingUnmeasuredItems = count, PendingWallTicks = wall, PendingRunQueueTicks = Math.Clamp(_extRq1 - _extRq0, 0, wall) };
        }
        else if (pending)
        {
            _externalSeen = external > 0;
            var syncCpu = _cpuAtReturn >= 0 ? _cpuAtReturn - _cpu0 : 0;

            // A batch in flight is measured by its synchronous part's CPU clock (read for asynchronous work whatever
            // Measure says); the run-queue and compile readings a measured batch adds go unused. Its time in flight is no
            // reason to measure the next one (20,000 × Task.Delay(10 ms): every batch "long", a /proc read each).
            LastBatchTicks = syncCpu;
            sample = new WorkSample { PendingItems = count, PendingWallTicks = wall, PendingCpuTicks = syncCpu + external, PendingRunQueueTicks = Math.Clamp(_extRq1 - _extRq0, 0, wall) };
        }
        else
        {
            // Measured: CPU read at both ends and, where the platform has it, run-queue wait too. A platform without
            // a thread CPU clock measures nothing, and its batches count as computation (see WorkSample.CpuRatio).
            var measured = _cpu0 >= 0 && _cpu1 >= 0 && (_rq0 >= 0 || !ThreadSchedStat.IsSupported) && (_rq0 < 0 || _rq1 >= 0);

            // Compiling code (the work's first calls, and Brigade's own in a young process) is not the work's cost:
            // taken off both its wall and CPU time, or the first batches of a run measure the JIT.
            var jit = _jit0 >= 0 && _jit1 >= 0 ? Math.Clamp(_jit1 - _jit0, 0, wall) : 0;

            // Any thread's compiling during the batch: a thread waiting for code another one compiles is not working.
            var compiling = _processJit0 >= 0 && _processJit1 >= 0 ? Math.Clamp(_processJit1 - _processJit0, jit, wall) : jit;
            wall -= jit;
            sample = new WorkSample
            {
                Items = count,
                Batches = 1,
                WallTicks = wall,
                AllocatedBytes = Math.Max(0, _alloc1 - _alloc0),
                JitTicks = jit,
                CompilingWallTicks = compiling,
            };
            if (measured)
            {
                sample = sample with
                {
                    MeasuredItems = count,
                    MeasuredBatches = 1,
                    MeasuredWallTicks = wall,
                    CpuTicks = Math.Max(0, _cpu1 - _cpu0 - jit) + external,
                    // The thread's own wait for a core, and that of the external work it waited for (a child computing on a
                    // busy machine while the thread was blocked for it): neither is a wait of the item's own.
                    RunQueueTicks = Math.Min((_rq0 >= 0 ? Math.Max(0, _rq1 - _rq0) : 0) + Math.Max(0, _extRq1 - _extRq0), wall),
                    GcPauseTicks = Math.Clamp(_pause1 - _pause0, 0, wall),
                };
                if (_solo)
                {
                    sample = sample with { SoloItems = count, SoloBatches = 1, SoloCpuTicks = sample.CpuTicks, SoloGcPauseTicks = sample.GcPauseTicks };
                }
            }
        }

        if (divert is null || !divert(sample))
        {
            lock (_totalsGate)
            {
                _totals += sample;
            }
        }

        return sample;
    }

    // The reader belongs to the thread (see ThreadSchedStat.ForCurrentThread), not to this worker. (A batch that never
    // ended leaves no wait sink on its thread: EngineJob takes it off once the batch returns or throws.)
    public void Dispose() => _schedStat = null;
}
