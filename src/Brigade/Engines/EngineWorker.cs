using Brigade.Auto;
using Brigade.Diagnostics;
using Brigade.Engines;
using Brigade.Engines.Remote;
using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade;

/// <summary>
/// One worker of a run, as an engine sees it: it sizes the worker's next batch and records what the worker ran
/// for the report, the timeline and live progress.
/// </summary>
/// <remarks>
/// A worker belongs to one logical flow at a time (a thread, or an async loop): its members are not thread-safe.
/// Engines get workers from <see cref="EngineJob{TIn, TOut}.CreateWorker(TimeSpan, string?)"/>. Counters are kept
/// per worker, not per run, so that workers never contend on a shared cache line for bookkeeping.
/// </remarks>
public sealed class EngineWorker
{
    // Large enough that per-batch costs vanish even for nanosecond items; small enough that an input of unknown
    // length does not put millions of items in flight across many workers.
    private const int MaxAdaptiveBatch = 1 << 14;

    // Reading a thread's CPU clock is a system call (about 0.6 µs on a typical VM); below this batch length the
    // two reads would cost more than 3% of the batch, so the batch goes unmeasured and the worker's CPU time is
    // extrapolated from its measured batches.
    private static readonly TimeSpan MinCpuMeasuredBatch = TimeSpan.FromMicroseconds(50);

    // Run-queue wait (RunReport.Losses' "waiting for a core") is read at most once per this interval of a worker's
    // batches: a read costs ~3 µs, so this keeps it under 0.3% of the work and out of runs shorter than the interval.
    private static readonly TimeSpan RunQueueInterval = TimeSpan.FromMilliseconds(1);

    private readonly RunRecorder _recorder;
    private long _targetBatchTimestamps;
    private readonly long _minCpuMeasuredTimestamps;
    private readonly List<TimelineEvent> _timeline = [];
    private int _adaptiveBatch = 1;

    // How many batches in a row awaited or ended on another thread than they began (EndBatch): a worker whose items await.
    private int _hops;
    private bool _awaited;
    private long _batches;
    private long _items;
    private long _failed;
    private long _busyTimestamps;
    private long _measuredBusyTimestamps;
    private long _cpuTicks;
    private long _remoteBusyTicks;
    private long _remoteRunQueueTicks;
    private bool _remoteRunQueueKnown;
    private bool _measureCpu = true;
    private long _batchStart;
    private long _batchStartCpu = -1;
    private int _batchThread;
    private long _lastEndCpu = -1;
    private int _lastEndThread = -1;
    private long _firstStart = -1;
    private long _lastStart;
    private long _lastEnd;
    private long _lastFirstIndex;
    private int _lastCount;
    private readonly long _runQueueInterval;
    private long _runQueueReadAt;
    private readonly RunQueueClock _runQueue = new();
    private long _runQueueLast = -1;
    private long _runQueueTicks;
    private long _runQueueCovered;
    private int _startThread;
    private long _startRunQueue = -1;
    private long _startRunQueueWait;
    private long _batchContentions;
    private long _lastEndContentions = -1;
    private long _contendedOffCpuTicks;
    private object? _measureSlot;

    // The worker's ItemRace<TOut> for its pending asynchronous items (one at a time), made at its first; a new one after
    // an abandonment.
    private object? _race;
    private object? _measureEntered;

    // CPU time the items reported using outside their thread (ExternalCpuTime: the commands of brigade run), made the
    // account of the flow that runs the batches at the first batch; the ticks read at the current batch's start.
    private ExternalCpuTime.CpuAccount? _external;
    private long _batchExternal;

    // The sink the batch's thread had before (none, or an enclosing run's), put back when the batch's synchronous part ends.
    private LockWaitSink? _outerWaitSink;

    internal EngineWorker(RunRecorder recorder, int id, string name, TimeSpan targetBatchDuration)
    {
        _recorder = recorder;
        Id = id;
        Name = name;
        var frequency = recorder.Clock.TimeProvider.TimestampFrequency;
        _targetBatchTimestamps = Math.Max(1, (long)(targetBatchDuration.TotalSeconds * frequency));
        _minCpuMeasuredTimestamps = (long)(MinCpuMeasuredBatch.TotalSeconds * frequency);
        _runQueueInterval = ThreadSchedStat.IsSupported ? (long)(RunQueueInterval.TotalSeconds * frequency) : long.MaxValue;
        _runQueueReadAt = recorder.Clock.Now();
        ReadStartRunQueue();
    }

    /// <summary>Gets the worker's 0-based id within the run.</summary>
    public int Id { get; }

    /// <summary>Gets the worker's readable name.</summary>
    public string Name { get; }

    /// <summary>Gets or sets where the worker runs when that is not this process, such as <c>pid 4242</c> or a silo address.</summary>
    public string? Location { get; set; }

    /// <summary>Gets the batch size the worker would like next, before the job applies its limits.</summary>
    public int PreferredBatchSize => _adaptiveBatch;

    internal IReadOnlyList<TimelineEvent> Timeline => _timeline;

    /// <summary>Gets the wall time of the worker's batches and the gaps between them that its run-queue readings covered
    /// (the measured wait is scaled up from it to the worker's span: <see cref="ToReport"/>).</summary>
    internal TimeSpan RunQueueCovered => _recorder.Clock.ToDuration(0, _runQueueCovered);

    /// <summary>
    /// Gets or sets the worker's measuring hook (auto mode's measurements), entered and exited inside
    /// <see cref="BeginBatch"/>/<see cref="EndBatch"/>, right around the items and inside the clock reads; set before the first batch.
    /// </summary>
    /// <remarks>The run's own hooks (<see cref="BatchHooks"/>) sit outside the bookkeeping instead.</remarks>
    internal IBatchHook? MeasureHook { get; set; }

    /// <summary>
    /// Gets or sets where the worker's items' waits on Brigade's primitives are counted: the batch's thread's
    /// <see cref="LockWaitSink.Current"/> while the batch's synchronous part runs there (<see cref="EnterBatchThread"/> to
    /// <see cref="LeaveBatchThread"/>); set before the first batch (auto mode gives each worker loop's own).
    /// </summary>
    /// <remarks>The run's <see cref="RunReport.Losses"/> sum these over its workers: a wait begun outside the run's
    /// batches (another thread, the application's own work between runs) is not the run's.</remarks>
    internal LockWaitSink WaitSink { get; set; } = new();

    /// <summary>Gets or sets the run's hooks' slots and current batch states for this worker (see <see cref="BatchHooks"/>).</summary>
    internal object?[]? HookState { get; set; }

    internal long ItemsRun => Volatile.Read(ref _items);

    internal long ItemsFailed => Volatile.Read(ref _failed);

    /// <summary>Gets the race through which the worker awaits its pending asynchronous items (<see cref="ItemRace{TOut}"/>).</summary>
    internal ItemRace<TOut> Race<TOut>(TimeProvider time, CancellationToken leave, CancellationToken caller)
    {
        if (_race is ItemRace<TOut> race && !race.IsSpent)
        {
            return race;
        }

        race = new ItemRace<TOut>(time, leave, caller);
        _race = race;
        return race;
    }

    /// <summary>Marks the start of a batch on the calling thread.</summary>
    public void BeginBatch()
    {
        _batchThread = Environment.CurrentManagedThreadId;
        if (_startRunQueue >= 0)
        {
            ReadFirstBatchRunQueue();
        }
        else if (_runQueueLast < 0 && _batches == 0 && _runQueueInterval != long.MaxValue)
        {
            StartRunQueueAtFirstBatch();
        }

        if (_measureCpu)
        {
            // When the previous batch ended on this same thread, its end reading serves as this batch's start.
            _batchStartCpu = _lastEndThread == _batchThread ? _lastEndCpu : ThreadCpuTime.NowTicks();
        }
        else
        {
            _batchStartCpu = -1;
        }

        // Reading the runtime's contention count costs ~0.1 µs in a fresh process, far more after many threads ran
        // (ContentionCount bounds it): only batches whose CPU time is measured (at least 50 µs long) need it.
        // When the previous batch ended on this same thread with a reading, that reading serves here too (as the CPU's).
        _batchContentions = _batchStartCpu < 0 ? 0
            : _lastEndThread == _batchThread && _lastEndContentions >= 0 ? _lastEndContentions
            : ContentionCount.Read();
        _batchExternal = AttachExternalCpu().Ticks;
        _batchStart = _recorder.Clock.Now();
        if (MeasureHook is { } measure)
        {
            _measureEntered = measure.Enter(this, ref _measureSlot);
        }
    }

    /// <summary>Makes the worker's <see cref="WaitSink"/> the calling thread's: a batch's items start here (EngineJob, right
    /// after <see cref="BeginBatch"/>; an engine that calls <see cref="BeginBatch"/> itself counts no waits).</summary>
    internal void EnterBatchThread() => _outerWaitSink = WaitSink.Enter();

    /// <summary>Ends the batch's synchronous part on the calling thread: the worker's <see cref="WaitSink"/> stops being
    /// this thread's. Called where the batch ends (right before <see cref="EndBatch"/>) and, by the thread that started
    /// it, once the batch returns, finished or not (an asynchronous batch may end on another thread's continuation, which
    /// cannot take the sink off this one); nothing changes where it already was not the current one.</summary>
    internal void LeaveBatchThread() => WaitSink.Leave(_outerWaitSink);

    /// <summary>Notes that the current batch's items awaited (an item's task was pending): called right before
    /// <see cref="EndBatch"/> by the job's awaited batches.</summary>
    internal void NoteAwaited() => _awaited = true;

    /// <summary>Marks the end of the batch begun by <see cref="BeginBatch"/>, and adapts the next batch size.</summary>
    /// <param name="firstIndex">The input index of the batch's first item.</param>
    /// <param name="count">How many items ran (succeeded or failed).</param>
    /// <param name="failed">How many of them failed.</param>
    public void EndBatch(long firstIndex, int count, int failed)
    {
        if (MeasureHook is { } measure)
        {
            measure.Exit(this, _measureSlot, _measureEntered, count);
            _measureEntered = null;
        }

        var end = _recorder.Clock.Now();
        TimeSpan? cpu = null;
        _lastEndThread = -1;
        var sameThread = _batchThread == Environment.CurrentManagedThreadId;
        var hopped = _awaited || !sameThread;
        _awaited = false;
        _hops = hopped ? _hops + 1 : 0;
        if (_batchStartCpu >= 0 && sameThread)
        {
            var cpuEnd = ThreadCpuTime.NowTicks();
            if (cpuEnd >= 0)
            {
                cpu = TimeSpan.FromTicks(cpuEnd - _batchStartCpu);
                _lastEndCpu = cpuEnd;
                _lastEndThread = _batchThread;
            }
        }

        _lastEndContentions = cpu is null ? -1 : ContentionCount.Read();
        if (cpu is { } used && _lastEndContentions != _batchContentions)
        {
            // Plain lock contention is counted by the runtime, not timed: a batch during which it was counted
            // gives its off-CPU time to RunReport.Losses as the upper bound of its wait.
            _contendedOffCpuTicks += Math.Max(0, _recorder.Clock.ToDuration(_batchStart, end).Ticks - used.Ticks);
        }

        // A batch whose items awaited, or that ended on another thread than it began, has no CPU time of its own to measure
        // (on another thread, none is read; on the same one, the thread ran other workers' items meanwhile): the thread CPU
        // clock read at its start (a system call) was for nothing. Once two batches in a row did, the worker's items await
        // as a rule (one item per batch when an item takes longer than the target batch duration): only every 32nd batch
        // tries, and the first that neither awaited nor moved measures its successors again (async63: those reads, with the
        // run-queue readings below, were about half of an awaited item's cost on Engine.Async).
        _measureCpu = end - _batchStart >= _minCpuMeasuredTimestamps && (_hops < 2 || (_batches & 31) == 31);
        var external = _external is { } account ? account.Ticks - _batchExternal : 0;
        Record(firstIndex, count, failed, _batchStart, end, cpu, Math.Max(0, external));

        // Not after a batch that hopped: the next batch starts on this new thread and would most likely hop again, so a
        // first reading here (gettid, the thread's schedstat opened and read) would never get a second on the same thread.
        if (!hopped && end - _runQueueReadAt >= _runQueueInterval)
        {
            ReadRunQueue(end);
        }
    }

    /// <summary>Records a batch that ran elsewhere (another process or machine), and adapts the next batch size.</summary>
    /// <param name="firstIndex">The input index of the batch's first item.</param>
    /// <param name="count">How many items ran (succeeded or failed).</param>
    /// <param name="failed">How many of them failed.</param>
    /// <param name="startTimestamp">When the batch was sent, from <see cref="EngineJob{TIn, TOut}.GetTimestamp"/>.</param>
    /// <param name="endTimestamp">When its results arrived, from <see cref="EngineJob{TIn, TOut}.GetTimestamp"/>.</param>
    /// <param name="cpuTime">The CPU time the batch used where it ran, if known.</param>
    public void RecordBatch(long firstIndex, int count, int failed, long startTimestamp, long endTimestamp, TimeSpan? cpuTime) =>
        Record(firstIndex, count, failed, startTimestamp, endTimestamp, cpuTime, 0);

    /// <summary>Adds the time a worker elsewhere (a worker process) reports spending on a batch recorded with
    /// <see cref="RecordBatch"/>: its own wall, without the transport the host's busy time holds.</summary>
    /// <param name="elapsed">The worker's own wall on the batch (or a chunk of it).</param>
    /// <param name="runQueueWait">How long the worker's thread waited for a core in <paramref name="elapsed"/>, or
    /// <see langword="null"/> when it did not measure it.</param>
    internal void RecordRemoteBusy(TimeSpan elapsed, TimeSpan? runQueueWait = null)
    {
        var busy = Math.Max(0, elapsed.Ticks);
        _remoteBusyTicks += busy;
        if (runQueueWait is { } wait)
        {
            _remoteRunQueueTicks += Math.Clamp(wait.Ticks, 0, busy);
            _remoteRunQueueKnown = true;
        }
    }

    /// <summary>Gets the time the worker elsewhere reported spending on its batches and its wait for a core in it, or
    /// <see langword="null"/> when it reported none (auto mode's isolated engine classes the work from it:
    /// <c>IsolatedSample</c>).</summary>
    internal RemoteWorkerTime? RemoteBusyTime => _remoteBusyTicks > 0
        ? new RemoteWorkerTime(TimeSpan.FromTicks(_remoteBusyTicks), _remoteRunQueueKnown ? TimeSpan.FromTicks(_remoteRunQueueTicks) : null)
        : null;

    // externalTicks: what the batch's items reported using outside their thread (counted in the worker's total from its
    // account, not here): the batch's CPU time on the timeline includes it, and a batch whose thread's CPU time is not
    // known (an asynchronous item that ended on another thread) but that reported some counts as measured, its thread's
    // share taken as nothing (the synchronous parts of an item that waits for a command: microseconds against the command's).
    private void Record(long firstIndex, int count, int failed, long startTimestamp, long endTimestamp, TimeSpan? cpuTime, long externalTicks)
    {
        if (count == 0)
        {
            // Taken but stopped before its first item: nothing ran, so there is nothing to count or draw.
            return;
        }

        var elapsed = endTimestamp - startTimestamp;
        if (_firstStart < 0)
        {
            _firstStart = startTimestamp;
        }

        _lastStart = startTimestamp;
        _lastEnd = endTimestamp;
        _lastFirstIndex = firstIndex;
        _lastCount = count;
        _batches++;
        Volatile.Write(ref _items, _items + count);
        Volatile.Write(ref _failed, _failed + failed);
        _busyTimestamps += elapsed;
        if (cpuTime is { } c)
        {
            _cpuTicks += c.Ticks;
            _measuredBusyTimestamps += elapsed;
        }
        else if (externalTicks > 0)
        {
            _measuredBusyTimestamps += elapsed;
        }

        if (_recorder.TryReserveTimelineEvent())
        {
            var clock = _recorder.Clock;
            TimeSpan? batchCpu = externalTicks > 0 ? TimeSpan.FromTicks((cpuTime?.Ticks ?? 0) + externalTicks) : cpuTime;
            _timeline.Add(new TimelineEvent(Id, firstIndex, count, failed, clock.SinceStart(startTimestamp), clock.ToDuration(startTimestamp, endTimestamp), batchCpu));
        }

        Adapt(count, elapsed);
    }

    /// <summary>Changes the batch duration the worker aims for and restarts adaptation from <paramref name="batchSize"/>: auto mode's re-plans.</summary>
    internal void Retarget(TimeSpan targetBatchDuration, int batchSize)
    {
        _targetBatchTimestamps = Math.Max(1, (long)(targetBatchDuration.TotalSeconds * _recorder.Clock.TimeProvider.TimestampFrequency));
        _adaptiveBatch = Math.Clamp(batchSize, 1, MaxAdaptiveBatch);
    }

    // Grow while batches are short and full; shrink when they overshoot. The target keeps per-batch overhead
    // (taking items, clock reads, bookkeeping) a small fraction of the work while limiting end-of-run imbalance.
    private void Adapt(int count, long elapsed)
    {
        if (elapsed < _targetBatchTimestamps / 2 && count >= _adaptiveBatch)
        {
            _adaptiveBatch = Math.Min(_adaptiveBatch * 2, MaxAdaptiveBatch);
        }
        else if (elapsed > _targetBatchTimestamps * 2 && _adaptiveBatch > 1)
        {
            _adaptiveBatch /= 2;
        }
    }

    // The worker's account becomes the flow's at its first batch and stays so (set in a synchronous call, it stays the
    // engine's loop's: an async loop keeps it across its awaits, a thread for its life; neither outlives the run). It passes
    // everything on to the account that was current there, unless that is another worker's of this run (a worker started
    // from another's loop inherits its account): auto mode's worker account, which its planning reads as before, or the
    // account of an enclosing run's item.
    private ExternalCpuTime.CpuAccount AttachExternalCpu()
    {
        var current = ExternalCpuTime.CurrentAccount;
        if (_external is { } own && ReferenceEquals(current, own))
        {
            return own;
        }

        if (_external is null)
        {
            var outer = current;
            while (outer is not null && ReferenceEquals(outer.Owner, _recorder))
            {
                outer = outer.Parent;
            }

            _external = new ExternalCpuTime.CpuAccount(_recorder, outer);
        }

        ExternalCpuTime.Attach(_external);
        return _external;
    }

    // The run-queue wait before the first batch (ReadRunQueue measures from the first batch's end on; for this worker, from its
    // start: ReadFirstBatchRunQueue): where the worker
    // starts (the constructor runs at the start of the engine's worker loop: EngineJob.CreateWorker), its thread's
    // schedstat is read once. A dedicated thread of WorkerGroup (named brigade-thread-) was started for this worker and
    // runs nothing else, so its whole wait since it began counts: on a loaded machine most of it is the new thread's wait
    // for its first turn on a core, before its loop began (run54: a 0.69 s threads run at load 42 read "start-up 61%: use
    // fewer threads"). One procfs open per such thread (tens of microseconds, beside a thread's start), one read (~3 µs)
    // at its first batch. Workers on pool threads are not read: their start-up keeps that wait, as before.
    private void ReadStartRunQueue()
    {
        if (!ThreadSchedStat.IsSupported)
        {
            return;
        }

        // Only there: a pool thread's worker would pay two reads per run for a wait that is mostly not before its first
        // batch (the time its loop sat queued for a pool thread is not this thread's), and tiny runs on the pool are the
        // ones whose per-run cost counts.
        var current = Thread.CurrentThread;
        if (current.IsThreadPoolThread || current.Name is not { } name || !name.StartsWith("brigade-thread-", StringComparison.Ordinal))
        {
            return;
        }

        if (ThreadSchedStat.ForCurrentThread(ThreadSchedStat.CurrentThreadId()) is not null)
        {
            _startThread = current.ManagedThreadId;
            _startRunQueue = 0;
        }
    }

    // At the first batch's start, on the thread where the worker started (an asynchronous loop may resume elsewhere: then
    // the wait is not known, and start-up keeps it as before).
    private void ReadFirstBatchRunQueue()
    {
        var start = _startRunQueue;
        _startRunQueue = -1;
        if (_batchThread != _startThread)
        {
            return;
        }

        // Read through the batches' clock (ReadRunQueue), which this reading also starts (below).
        var ticks = _runQueue.ReadCurrentThread(out _);
        if (ticks >= start)
        {
            _startRunQueueWait = ticks - start;
        }

        // This reading also starts the batches' (ReadRunQueue), so that they cover the first batch: read first at its end,
        // the wait measured over the later batches alone was scaled up to the whole span, the first batch's included. A
        // first command that slept 20 s, then four that took milliseconds each at load 15, read "waiting for a core 99%"
        // (review 66b: the milliseconds' wait × 20 s / their few milliseconds); a thread blocked in a sleep waits for no core.
        StartRunQueue(ticks);
    }

    // Any other worker (on the thread pool: Engine.ThreadPool, Sequential and Async, auto mode's loops) starts its readings
    // at its first batch's start too, as review 66b did for dedicated threads (ReadFirstBatchRunQueue): read first at its
    // end, the wait the later batches measured was scaled up over the first batch as well, and a long first batch that
    // blocked (a command that slept 20 s), then short ones at load 15, read "waiting for a core" for nearly all of it. One
    // reading per worker and run (~3 µs; the thread keeps its procfs file across runs); a first batch that awaits and ends
    // on another thread (Engine.Async) wastes it, as the readings after such batches start afresh anyway (ReadRunQueue).
    private void StartRunQueueAtFirstBatch() => StartRunQueue(_runQueue.ReadCurrentThread(out _));

    // A reading (negative: none could be made) from which the batches' run-queue wait accrues (ReadRunQueue).
    private void StartRunQueue(long ticks)
    {
        if (ticks >= 0)
        {
            _runQueueLast = ticks;
            _runQueueReadAt = _recorder.Clock.Now();
        }
    }

    // Run-queue wait accrues between two readings on the same thread, in batches and between them; the wall time
    // those readings cover is kept so that the report can scale the measured wait up to the worker's whole span
    // (first batch start to last batch end), like CPU time.
    private void ReadRunQueue(long now)
    {
        var previous = _runQueueReadAt;
        _runQueueReadAt = now;
        var ticks = _runQueue.ReadCurrentThread(out var moved);
        if (moved)
        {
            _runQueueLast = ticks;
            return;
        }

        if (ticks >= 0 && _runQueueLast >= 0)
        {
            _runQueueTicks += ticks - _runQueueLast;
            _runQueueCovered += now - previous;
        }

        _runQueueLast = ticks;
    }

    // CPU time is reported when batches covering at least 90% of the busy time were measured, scaled up to the
    // whole busy time; otherwise it is unknown rather than wrong. What the items reported using outside their thread is
    // added as reported (not scaled), and so is its wait for a core.
    // The run-queue wait is scaled up from the time its readings covered to the worker's span (first batch's start to last
    // batch's end), which assumes the time not covered waited like the time covered. Since the readings start at the first
    // batch (every worker, review 67), that holds for the end of the last batches (at most the readings' interval, 1 ms,
    // after the last reading: batches like the ones before them). Time is also left out where the worker moved to another
    // thread (a batch that awaited or hopped is not read at its end, and the next reading starts afresh on the new
    // thread). It does not hold there: the time left out is the awaiting batches', whose items wait for no core while they
    // await, so a worker whose batches partly await can over-count (the losses cap the wait inside batches only at their
    // time off the CPU, which awaiting fills). Nor does it for a long first batch, which is why the readings start there.
    internal WorkerReport ToReport()
    {
        var externalCpu = TimeSpan.FromTicks(Math.Max(0, _external?.Ticks ?? 0));
        var externalRunQueue = TimeSpan.FromTicks(Math.Max(0, _external?.RunQueueTicks ?? 0));
        TimeSpan? cpu = null;
        if (_batches > 0 && _measuredBusyTimestamps > 0 && _measuredBusyTimestamps >= _busyTimestamps * 0.9)
        {
            cpu = TimeSpan.FromTicks((long)(_cpuTicks * ((double)_busyTimestamps / _measuredBusyTimestamps))) + externalCpu;
        }

        var clock = _recorder.Clock;
        TimeSpan? runQueue = _runQueueCovered > 0 && _batches > 0
            ? TimeSpan.FromTicks((long)(_runQueueTicks * Math.Max(1.0, (double)(_lastEnd - _firstStart) / _runQueueCovered)))
            : null;
        if (externalRunQueue > TimeSpan.Zero)
        {
            runQueue = (runQueue ?? TimeSpan.Zero) + externalRunQueue;
        }

        return new WorkerReport(Id, Name, Location, _batches, _items, _failed, clock.ToDuration(0, _busyTimestamps), cpu)
        {
            Timing = _batches == 0 ? null : new WorkerTiming(
                clock.SinceStart(_firstStart), clock.SinceStart(_lastStart), clock.SinceStart(_lastEnd), _lastFirstIndex, _lastCount, runQueue,
                TimeSpan.FromTicks(_contendedOffCpuTicks))
            {
                ExternalCpu = externalCpu,
                ExternalRunQueue = externalRunQueue,
                StartRunQueue = TimeSpan.FromTicks(_startRunQueueWait),
            },
            RemoteRunQueueWait = RemoteBusyTime?.RunQueueWait,
            RemoteBusy = RemoteBusyTime?.Busy,
        };
    }
}
