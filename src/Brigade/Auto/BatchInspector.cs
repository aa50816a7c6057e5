using Brigade.Internal;

namespace Brigade.Auto;

/// <summary>
/// Looks at the batches still running, for a controller that cannot wait for them to finish: their CPU and run-queue
/// time (Linux, per thread, from <c>/proc</c>), and how many are asynchronous items in flight.
/// </summary>
/// <remarks>Used by one controller tick at a time (under the controller's lock), and by the run once the controller has stopped.</remarks>
/// <param name="time">The run's clock.</param>
/// <param name="asyncWork">Whether the work is asynchronous.</param>
/// <param name="reportsExternalCpu">Whether the items report CPU used elsewhere (child processes).</param>
/// <param name="waitOf">What a worker's thread is doing, by OS thread id, in place of <c>/proc</c> (tests); null reads <see cref="ThreadSchedStat.Wait"/>.</param>
/// <param name="otherThreadRunnable">Whether a thread of the process other than the caller is ready to run, in place of
/// <c>/proc/self/task</c> (tests); null reads it (<see cref="AnotherThreadRunnable"/>).</param>
internal sealed class BatchInspector(TimeProvider time, bool asyncWork, bool reportsExternalCpu, Func<int, ThreadWait>? waitOf = null, Func<bool>? otherThreadRunnable = null)
{
    // The CPU clock of each running batch the controller looked at, at its last look: a batch still running is judged by
    // what it did since then, not since it started (a sleeping item's first millisecond holds its call's compilation
    // and start-up, which on a 2 ms wall clock reads as a third of a core).
    private readonly Dictionary<AutoWorker, (long Seq, long Timestamp, long Cpu, long RunQueue, int Gc, long Pause)> _lastLook = [];
    private readonly Dictionary<AutoWorker, ExternalLook> _externalLooks = [];
    private Dictionary<int, ThreadSchedStat?>? _readers;
    private int _inspectCursor;
    private long _lastProcessCpu;

    /// <summary>Gets whether the last <see cref="Inspect"/> saw only batches it had not looked at before (their start-up included).</summary>
    public bool FirstLooksOnly { get; private set; }

    /// <summary>Gets whether the last <see cref="Inspect"/> saw some batch a second time (its reading covers only time since the first look).</summary>
    public bool LookedTwice { get; private set; }

    /// <summary>Takes the process's CPU time as the first reading of <see cref="IsWaiting"/>, where there are no per-thread figures.</summary>
    public void Start() => _lastProcessCpu = ThreadSchedStat.IsSupported ? 0 : Environment.CpuUsage.TotalTime.Ticks;

    // Running items with the process's lock counters: contentions since the run started, over the items finished and running.
    public static WorkSample? WithLocks(WorkSample? running, WorkSample total, int stalled) =>
        running is { } r
            ? r with
            {
                LockContentions = total.LockContentions,
                LockWaitTicks = total.LockWaitTicks,
                LockItems = total.LockItems + Math.Max(stalled, 1),
                TimedLockWaitTicks = total.TimedLockWaitTicks,
                LockBusyTicks = total.LockBusyTicks,
                LockElapsedTicks = total.LockElapsedTicks,
                LockTiming = total.LockTiming,
            }
            : null;

    // Looks at batches that have been running since at least the previous tick: their CPU and run-queue time since
    // they started (Linux, per thread, against the readings the worker took at the start), and how many are
    // asynchronous items in flight.
    public WorkSample? Inspect(List<AutoWorker> workers, long now, long lastTickTimestamp, out int inFlight, out int stalled)
    {
        inFlight = 0;
        stalled = 0;
        Prune(workers);
        var acc = default(WorkSample);
        var firstLooks = default(WorkSample);
        var inspected = 0;
        var oldest = now;
        var perItemBound = 1L;
        var pause = GC.GetTotalPauseDuration().Ticks;
        var external = default(ExternalReading);
        for (var n = 0; n < workers.Count && inspected < AutoTuning.MaxInspectedPerTick; n++)
        {
            var w = workers[(_inspectCursor + n) % workers.Count];
            var since = w.InBatchSince;
            if (since == 0 || since > lastTickTimestamp)
            {
                continue;
            }

            // An asynchronous item on a dedicated thread that blocks for it (brigade run's commands under a thread plan)
            // is read like one in flight where it runs something outside (its thread only waits).
            if (w.InFlight || (asyncWork && reportsExternalCpu && w.Kind == LoopKind.Thread))
            {
                stalled++;
                inFlight++;
                oldest = Math.Min(oldest, since);
                if (reportsExternalCpu)
                {
                    ReadExternal(w, ref external);
                }

                continue;
            }

            // An asynchronous item before its first await shares its pool thread with other work: nothing to read.
            if (asyncWork)
            {
                continue;
            }

            stalled++;
            inspected++;
            oldest = Math.Min(oldest, since);
            perItemBound = Math.Max(perItemBound, time.GetElapsedTime(since, now).Ticks / Math.Max(1, w.CurrentBatchCount));

            // Seqlock-style: the start readings belong to this batch only if the batch is the same before and after.
            var seq = w.BatchSeq;
            var tid = w.ThreadId;
            var gc0 = w.StartGcCount;
            var cpu0 = w.StartCpu;
            var rq0 = w.StartRunQueue;
            var pause0 = w.StartPause;
            var reader = Reader(tid);
            var cpu = ThreadSchedStat.CpuTicksOf(tid);
            var rq = reader?.RunQueueWaitTicks() ?? -1;
            var wait = waitOf is { } fake ? fake(tid) : reader?.Wait() ?? ThreadWait.Unknown;
            var gc = GC.CollectionCount(0);

            // This look ends at `now`, before the readings above, so their intervals hold its wall time's end; the next look
            // at this batch starts after them, so their intervals hold its start too (review 48's order, AutoWorker). Started
            // at `now`, what the item did between `now` and the readings (the controller's other work, reads of other
            // workers, its thread preempted at a high load) was in the next look's wall time and on neither clock: the
            // item's wait (review 49).
            var readAt = time.GetTimestamp();
            if (w.BatchSeq != seq || w.InBatchSince != since || cpu0 < 0 || cpu < 0 || wait == ThreadWait.Unknown)
            {
                continue;
            }

            // A collection since the batch started (or since the last look at it) may still be under way, its threads
            // suspended and its pause not yet counted: such a sample cannot tell a GC from I/O. It still starts the next
            // look's interval: judged from its start, a long batch (items that turned to long waits) that saw one
            // collection would never be read again while it runs, and its pause share would count every earlier pause.
            var seenBefore = _lastLook.TryGetValue(w, out var look) && look.Seq == seq && now > look.Timestamp;
            _lastLook[w] = (seq, readAt, cpu, rq, gc, pause);
            if (gc != (seenBefore ? look.Gc : gc0))
            {
                continue;
            }

            // A thread blocked in a page fault, a memory system call or the runtime's back-off sleep is held by another
            // thread, not waiting for anything of its own: the kernel's memory map and the GC's allocation lock are taken by
            // threads that, on a busy machine, wait for a core while they hold them. Alloc-heavy CPU work at load 20-40 on 2
            // cores: its threads were found blocked in page faults and madvise (the memory map), mprotect (the GC committing
            // memory) and nanosleep (the allocation lock's back-off) in looks of 12-37 ms at 0.4-1 ms of CPU, what was not
            // run-queue wait reading as the item's own; two looks in a row that read so re-plan a CPU plan as blocking I/O
            // (CI at load ~20: "Threads ×23"). The look says nothing of the item: skipped, as an ambiguous runnable one is.
            // Its time still counts once the batch ends, where windows need two in a row. (A thread held on a futex looks
            // like one in a wait of its own: not told apart here; the monitor's stalled check asks whether another thread of
            // the process is ready to run, AnotherThreadRunnable.)
            if (wait == ThreadWait.Held)
            {
                AutoTrace.Write?.Invoke($"running batch of worker {w.Id}: its thread is held (page fault, memory call or back-off), not read");
                continue;
            }

            var wall = time.GetElapsedTime(since, now).Ticks;
            var ranFor = Math.Max(0, cpu - cpu0);
            var queued = rq0 >= 0 && rq >= 0 ? Math.Max(0, rq - rq0) : 0;
            var paused = pause - pause0;
            if (seenBefore)
            {
                wall = time.GetElapsedTime(look.Timestamp, now).Ticks;
                ranFor = Math.Max(0, cpu - look.Cpu);
                queued = look.RunQueue >= 0 && rq >= 0 ? Math.Max(0, rq - look.RunQueue) : 0;
                paused = pause - look.Pause;
            }

            // The kernel adds a run-queue wait only once the thread runs again. A sleeping thread has no wait pending,
            // so its unexplained time was blocked. A thread ready to run now is queued for a core right now (its
            // pending wait is the unexplained time) or has slept most of the interval and just woken: a small
            // unexplained part is the former (on a busy machine it can still dwarf the thread's CPU share), a large
            // one says nothing and the sample is skipped.
            if (wait == ThreadWait.Runnable)
            {
                var unexplained = wall - ranFor - queued;
                if (unexplained > wall / 10)
                {
                    continue;
                }

                queued += Math.Max(0, unexplained);
            }

            var reading = new WorkSample
            {
                Items = 1,
                Batches = 1,
                WallTicks = wall,
                MeasuredItems = 1,
                MeasuredBatches = 1,
                MeasuredWallTicks = wall,
                CpuTicks = ranFor,
                RunQueueTicks = queued,
                GcPauseTicks = Math.Clamp(paused, 0, wall),
            };

            // A batch's first look covers its start (thread start-up, compiling the item's calls): used only when no
            // batch has been looked at before.
            if (seenBefore)
            {
                acc += reading;
            }
            else
            {
                firstLooks += reading;
            }
        }

        FirstLooksOnly = acc.Batches == 0;
        LookedTwice = acc.Batches > 0;
        if (acc.Batches == 0)
        {
            acc = firstLooks;
        }

        _inspectCursor = workers.Count > 0 ? (_inspectCursor + inspected) % workers.Count : 0;
        if (acc.Batches == 0)
        {
            if (inFlight > 0 && inFlight == stalled)
            {
                // Asynchronous items in flight use no thread: their time so far is all waiting. Items that run child
                // processes (reportsExternalCpu) wait or compute as their children do: known once some child's CPU clock
                // has been read over a span long enough for its granularity, and every item in flight has one to read
                // (the items started since, by a widening, are taken to be like the first).
                var inFlightFor = time.GetElapsedTime(oldest, now);
                if (!reportsExternalCpu)
                {
                    return WorkSample.InFlightPerItem(inFlight, inFlightFor, TimeSpan.Zero);
                }

                return external.Read > 0 && external.Unknown == 0
                    ? WorkSample.InFlightPerItem(inFlight, inFlightFor, inFlightFor * Math.Clamp((double)external.CpuTicks / external.WallTicks, 0, 1))
                    : null;
            }

            return null;
        }

        // The items are still running: a running batch's time so far, over its item count, bounds the time per item from below.
        var ratio = acc.CpuRatio;
        var perItem = TimeSpan.FromTicks(perItemBound);
        return WorkSample.FromPerItem(acc.Items, perItem, perItem * ratio);
    }

    /// <summary>
    /// Gets whether every running batch <see cref="Inspect"/> counted was read, and clearly waiting (cpu ratio under
    /// <see cref="AutoTuning.ClearlyBlocking"/>): the monitor's stalled check. A batch that could not be read (ready to run
    /// with its wait unknown, held by another thread, during a collection) may be what the others wait for.
    /// </summary>
    /// <param name="running">What <see cref="Inspect"/> read.</param>
    /// <param name="stalled">The running batches it counted.</param>
    public static bool AllClearlyWaiting(WorkSample? running, int stalled) =>
        stalled > 0 && running is { } r && r.Items >= stalled && r.CpuRatio < AutoTuning.ClearlyBlocking;

    /// <summary>
    /// Gets whether some thread of the process other than the caller (the controller) is running or ready to run now (state
    /// <c>R</c> in <c>/proc/self/task/TID/stat</c>): the process is not stalled, whatever the looked-at workers wait for. A
    /// worker blocked on a futex whose holder was preempted (the GC's allocation lock, a runtime lock, another worker between
    /// batches) looks from outside exactly like one in a wait of its own; the holder is then ready to run. False where per-thread
    /// states cannot be read. Costs a read of each thread's <c>stat</c> (a few microseconds each), so it is asked only of a
    /// look that would otherwise count as stalled.
    /// </summary>
    public bool AnotherThreadRunnable()
    {
        if (otherThreadRunnable is { } fake)
        {
            return fake();
        }

        if (!ThreadSchedStat.IsSupported)
        {
            return false;
        }

        var self = ThreadSchedStat.CurrentThreadId();
        try
        {
            Span<byte> buffer = stackalloc byte[512];
            foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (!int.TryParse(Path.GetFileName(dir.AsSpan()), out var tid) || tid == self)
                {
                    continue;
                }

                try
                {
                    using var stat = File.OpenHandle($"{dir}/stat", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                    var read = RandomAccess.Read(stat, buffer, 0);

                    // "tid (comm) S ...": the name may hold spaces and parentheses, so the state follows the last ')'.
                    var text = buffer[..read];
                    var close = text.LastIndexOf((byte)')');
                    if (close >= 0 && close + 2 < read && text[close + 2] == (byte)'R')
                    {
                        return true;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return false;
    }

    // Whether the running items wait (rather than compute): all in flight, or their readings say blocked; without
    // per-thread figures, the process's CPU use since the last tick. Items in flight that run child processes wait only
    // when their children's CPU clocks say so (clearly: a 10 ms clock read over tens of milliseconds).
    public bool IsWaiting(WorkSample? running, int inFlight, int stalled, long now, long lastTickTimestamp)
    {
        if (inFlight > 0 && inFlight == stalled)
        {
            return !reportsExternalCpu || (running is { } external && external.CpuRatio < AutoTuning.ClearlyBlocking);
        }

        if (running is { } r)
        {
            return AutoPlanner.Classify(r, reportsExternalCpu) == WorkloadClass.Blocking;
        }

        if (ThreadSchedStat.IsSupported)
        {
            return false;
        }

        // No per-thread figures: the whole process's CPU use stands in for the running workers'.
        var cpu = Environment.CpuUsage.TotalTime.Ticks;
        var used = cpu - _lastProcessCpu;
        _lastProcessCpu = cpu;
        var wall = time.GetElapsedTime(lastTickTimestamp, now).Ticks;
        return wall > 0 && used < wall * stalled * AutoTuning.ProcessCpuWaitingShare;
    }

    // Reads the CPU clock of what the worker's item runs outside its thread (IExternalCpuSource, a child process), at most
    // once per AutoTuning.ExternalReadInterval, and adds its use since the first read (the child's start-up left out) once
    // its own time since then (wall less its wait for a core) spans AutoTuning.MinExternalSpan. A source that cannot be read
    // (or throws) makes the reading unknown; one ready to run right now is skipped (its wait for a core is not counted yet).
    private void ReadExternal(AutoWorker w, ref ExternalReading reading)
    {
        var account = w.Account;
        var source = account.Running;
        var seq = account.RunningSeq;
        if (source is null)
        {
            reading.Unknown++;
            return;
        }

        var at = time.GetTimestamp();
        var known = _externalLooks.TryGetValue(w, out var look) && look.Seq == seq && ReferenceEquals(look.Source, source);
        if (!known || time.GetElapsedTime(look.ReadAt, at) >= AutoTuning.ExternalReadInterval)
        {
            bool read;
            ExternalCpuReading now;
            try
            {
                read = source.TryRead(out now);
            }
            catch (Exception e) when (e is not (OutOfMemoryException or StackOverflowException or AccessViolationException))
            {
                (read, now) = (false, default);
            }

            // The item moved on meanwhile (another command, or none): this reading may be of either.
            if (!read || !ReferenceEquals(account.Running, source) || account.RunningSeq != seq)
            {
                reading.Unknown++;
                return;
            }

            if (now.Runnable)
            {
                return;
            }

            at = time.GetTimestamp();
            look = known
                ? look with { ReadAt = at, Cpu = now.CpuTime.Ticks, RunQueue = now.RunQueueWait.Ticks }
                : new ExternalLook(source, seq, at, now.CpuTime.Ticks, now.RunQueueWait.Ticks, at, now.CpuTime.Ticks, now.RunQueueWait.Ticks);
            _externalLooks[w] = look;
        }

        // Time waiting for a core is not the child's own wait: left out, as for the workers' threads.
        var span = time.GetElapsedTime(look.FirstAt, look.ReadAt).Ticks;
        var ownSpan = span - Math.Clamp(look.RunQueue - look.FirstRunQueue, 0, span);
        if (ownSpan < AutoTuning.MinExternalSpan.Ticks)
        {
            return;
        }

        reading.Read++;
        reading.WallTicks += ownSpan;
        reading.CpuTicks += Math.Max(0, look.Cpu - look.FirstCpu);
    }

    // Forgets the readings of workers no longer in the pool (a long run's workers come and go).
    private void Prune(List<AutoWorker> workers)
    {
        if (_externalLooks.Count <= workers.Count && _lastLook.Count <= workers.Count)
        {
            return;
        }

        var live = new HashSet<AutoWorker>(workers);
        foreach (var w in _externalLooks.Keys.Where(k => !live.Contains(k)).ToList())
        {
            _externalLooks.Remove(w);
        }

        foreach (var w in _lastLook.Keys.Where(k => !live.Contains(k)).ToList())
        {
            _lastLook.Remove(w);
        }
    }

    private ThreadSchedStat? Reader(int tid)
    {
        if (tid <= 0)
        {
            return null;
        }

        _readers ??= [];
        if (!_readers.TryGetValue(tid, out var reader))
        {
            if (_readers.Count >= 1024)
            {
                DisposeReaders();
            }

            reader = ThreadSchedStat.Open(tid);
            _readers[tid] = reader;
        }

        return reader;
    }

    /// <summary>Closes the per-thread readers (the run is over, or too many threads came and went).</summary>
    public void DisposeReaders()
    {
        if (_readers is null)
        {
            return;
        }

        foreach (var r in _readers.Values)
        {
            r?.Dispose();
        }

        _readers.Clear();
    }

    // A worker's current external source at its first and latest reading (CPU and run-queue wait in ticks).
    private readonly record struct ExternalLook(IExternalCpuSource Source, long Seq, long FirstAt, long FirstCpu, long FirstRunQueue, long ReadAt, long Cpu, long RunQueue);

    // The external sources read in one Inspect: how many gave a reading over a long enough span, how many could not be read.
    private struct ExternalReading
    {
        public int Read;
        public int Unknown;
        public long WallTicks;
        public long CpuTicks;
    }
}
