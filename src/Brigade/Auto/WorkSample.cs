namespace Brigade.Auto;

/// <summary>
/// What auto mode measured over some batches: totals for every batch that ran on one thread, the readings of the
/// measured ones among them, and asynchronous items that went in flight. Samples add and subtract, so a window is
/// the difference of two snapshots.
/// </summary>
/// <remarks>
/// <para>Reading a thread's CPU clock and run-queue wait costs a few microseconds, so only some batches are
/// <em>measured</em>: chosen before they start (every fourth, all while sampling, any after a long batch), hence
/// an unbiased subset. Every ratio comes from that subset alone, where CPU time, run-queue wait and wall time cover
/// the same interval; the other batches only count items and wall time. Mixing subsets would, under contention,
/// extrapolate run-queue wait from a few unpreempted batches to preempted ones and mistake preemption for I/O.</para>
/// <para>All times are in <see cref="TimeSpan"/> ticks (100 ns).</para>
/// </remarks>
internal readonly record struct WorkSample
{
    /// <summary>
    /// Gets the time the batches' threads spent compiling code (the JIT), already taken off <see cref="WallTicks"/> and
    /// <see cref="CpuTicks"/>: a sample where it exceeds what is left measured the JIT more than the work.
    /// </summary>
    public long JitTicks { get; init; }

    /// <summary>
    /// Gets how much of the batches' wall time (before <see cref="JitTicks"/> came off) the process spent compiling code
    /// on any thread, at most each batch's wall time: batches that waited for code another thread compiled count too.
    /// </summary>
    public long CompilingWallTicks { get; init; }

    /// <summary>Gets whether these batches ran mostly while code was being compiled (a cold first run), not working.</summary>
    public bool MostlyJit => CompilingWallTicks > 0 && CompilingWallTicks * 2 >= WallTicks + JitTicks + PendingWallTicks;

    /// <summary>
    /// Gets whether the runtime held these batches for most of their time: compiling code (<see cref="MostlyJit"/>), or
    /// garbage-collector pauses making up half of the measured wall time. Around a collection or a compilation threads
    /// also wait in ways no counter reports (to allocate while a collection is under way, for code another thread
    /// compiles); beside the little CPU the items got meanwhile, those waits read as the items' own. Such batches measure
    /// the runtime, not the work.
    /// </summary>
    public bool MostlyRuntime => MostlyJit || (MeasuredWallTicks > 0 && GcPauseTicks * 2 >= MeasuredWallTicks);

    /// <summary>Gets the items of batches that ran on one thread (synchronous work, or asynchronous work that completed synchronously).</summary>
    public long Items { get; init; }

    /// <summary>Gets the number of such batches.</summary>
    public long Batches { get; init; }

    /// <summary>Gets their wall time.</summary>
    public long WallTicks { get; init; }

    /// <summary>Gets the bytes they allocated.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>Gets the items of the measured batches.</summary>
    public long MeasuredItems { get; init; }

    /// <summary>Gets the number of measured batches.</summary>
    public long MeasuredBatches { get; init; }

    /// <summary>Gets the wall time of the measured batches.</summary>
    public long MeasuredWallTicks { get; init; }

    /// <summary>Gets the CPU time of the measured batches on the thread that ran them, plus CPU time reported through <see cref="ExternalCpuTime"/>.</summary>
    public long CpuTicks { get; init; }

    /// <summary>Gets the run-queue wait of the measured batches (Linux; 0 elsewhere).</summary>
    public long RunQueueTicks { get; init; }

    /// <summary>Gets the items of the measured batches that ran alone: no other worker of the run was in a batch at any
    /// moment of them (<see cref="BatchOverlap"/>; a run's first worker before the sample widens, mostly).</summary>
    public long SoloItems { get; init; }

    /// <summary>Gets the number of those batches.</summary>
    public long SoloBatches { get; init; }

    /// <summary>Gets their CPU time (part of <see cref="CpuTicks"/>).</summary>
    public long SoloCpuTicks { get; init; }

    /// <summary>Gets the garbage collector's pause time during those batches (part of <see cref="GcPauseTicks"/>).</summary>
    public long SoloGcPauseTicks { get; init; }

    /// <summary>Gets the items of the measured batches that ran beside another worker's batch (for part of their time at least).</summary>
    public long BesideItems => MeasuredItems - SoloItems;

    /// <summary>Gets the number of those batches.</summary>
    public long BesideBatches => MeasuredBatches - SoloBatches;

    /// <summary>Gets their CPU time.</summary>
    public long BesideCpuTicks => CpuTicks - SoloCpuTicks;

    /// <summary>Gets the garbage collector's pause time during them.</summary>
    public long BesideGcPauseTicks => GcPauseTicks - SoloGcPauseTicks;

    /// <summary>Gets the garbage collector's pause time during the measured batches.</summary>
    public long GcPauseTicks { get; init; }

    /// <summary>Gets the asynchronous items that went in flight (their work returned an unfinished task).</summary>
    public long PendingItems { get; init; }

    /// <summary>Gets their time in flight, from start to finish.</summary>
    public long PendingWallTicks { get; init; }

    /// <summary>Gets the CPU time of their synchronous part, plus reported external CPU time, of those whose CPU clock was
    /// read (all but <see cref="PendingUnmeasuredItems"/>).</summary>
    public long PendingCpuTicks { get; init; }

    /// <summary>Gets the items in flight whose synchronous part's CPU clock was not read (to spare its cost, see
    /// <see cref="AutoWorker.MeasureInFlight"/>): they count in <see cref="PendingItems"/> and
    /// <see cref="PendingWallTicks"/>, and the CPU per item is that of the others.</summary>
    public long PendingUnmeasuredItems { get; init; }

    // The items in flight whose CPU was read; the CPU of all of them, estimated from those (0 when none was read: only
    // a window of a few items, after the sample, can have none, and their synchronous parts were short, or the next
    // batch would have been read).
    private long PendingMeasuredItems => PendingItems - PendingUnmeasuredItems;

    private double PendingCpuEstimate => PendingMeasuredItems > 0 ? (double)PendingCpuTicks * PendingItems / PendingMeasuredItems : 0;

    /// <summary>Gets the time the items in flight's external work (a child process) waited for a core, as reported with
    /// <see cref="ExternalCpuTime.Add(TimeSpan, TimeSpan)"/>: not a wait of the items' own, left out of their CPU ratio.</summary>
    public long PendingRunQueueTicks { get; init; }

    /// <summary>Gets how many times a thread of the process found a plain <c>lock</c> (a <see cref="Monitor"/>) taken while
    /// these items ran (<see cref="Monitor.LockContentionCount"/>, process-wide).</summary>
    public long LockContentions { get; init; }

    /// <summary>Gets the time these items waited on Brigade's synchronization primitives: waits begun inside the run's
    /// batches, summed over its workers (<see cref="Internal.LockWaitSink"/>; an asynchronous item's waits count when they
    /// began before its first await that did not complete at once). Other threads' waits do not count.</summary>
    public long LockWaitTicks { get; init; }

    /// <summary>Gets the items <see cref="LockContentions"/> and <see cref="LockWaitTicks"/> cover (the items that ran, or
    /// were running, while the counters were read).</summary>
    public long LockItems { get; init; }

    /// <summary>Gets the time the run's worker threads waited on plain <c>lock</c> (a <see cref="Monitor"/> or a
    /// <see cref="Lock"/>) while these items ran, timed from the runtime's contention events (when <see cref="LockTiming"/>
    /// is <see cref="Auto.LockTiming.Timed"/>; the events arrive a few milliseconds late, so the latest waits may be missing).</summary>
    public long TimedLockWaitTicks { get; init; }

    /// <summary>Gets the worker threads' time in batches (finished, and running so far) that the lock figures cover.</summary>
    public long LockBusyTicks { get; init; }

    /// <summary>Gets the wall time the lock figures cover (the run's, or a window's).</summary>
    public long LockElapsedTicks { get; init; }

    /// <summary>Gets how the items' waits on plain <c>lock</c> are known: timed, soon timed, or only counted.</summary>
    public LockTiming LockTiming { get; init; }

    /// <summary>Gets the share of the workers' time in batches spent waiting for a lock (plain <c>lock</c>, timed, and
    /// Brigade's primitives), 0 to 1; 0 unless <see cref="LockTiming"/> is <see cref="Auto.LockTiming.Timed"/>.</summary>
    public double LockWaitShare => LockTiming == LockTiming.Timed && LockBusyTicks > 0
        ? Math.Clamp((double)(TimedLockWaitTicks + LockWaitTicks) / LockBusyTicks, 0, 1)
        : 0;

    /// <summary>Gets the workers busy at once on average over <see cref="LockElapsedTicks"/> (0 when not known).</summary>
    public double LockWorkers => LockElapsedTicks > 0 ? Math.Max(0, (double)LockBusyTicks / LockElapsedTicks) : 0;

    /// <summary>Gets the lock contentions per item (0 when nothing was counted).</summary>
    public double ContentionsPerItem => LockItems > 0 ? (double)LockContentions / LockItems : 0;

    /// <summary>Gets the share of the measured wall time the garbage collector paused the items (0 to 1).</summary>
    public double GcPauseShare => MeasuredWallTicks > 0 ? Math.Clamp((double)GcPauseTicks / MeasuredWallTicks, 0, 1) : 0;

    /// <summary>Gets every item counted.</summary>
    public long TotalItems => Items + PendingItems;

    /// <summary>Gets the time measured items spent off the CPU for reasons of their own (I/O, sleeps, locks): wall minus CPU, run-queue wait and GC pauses.</summary>
    public long WaitTicks => Math.Max(0, MeasuredWallTicks - CpuTicks - RunQueueTicks - GcPauseTicks);

    /// <summary>Gets whether the items are mostly asynchronous items in flight.</summary>
    public bool MostlyInFlight => PendingItems > 0 && PendingItems * 2 >= TotalItems;

    /// <summary>Gets the share of an item's own time spent on a CPU: CPU / (CPU + own waits). Time waiting for a core
    /// or for the garbage collector does not count. With nothing measured (every batch a few microseconds long), 1:
    /// nothing that short waits for a device.</summary>
    public double CpuRatio
    {
        get
        {
            if (MostlyInFlight)
            {
                var cpu = PendingCpuEstimate;
                var own = Math.Max(PendingWallTicks - PendingRunQueueTicks, cpu);
                return own > 0 ? Math.Clamp(cpu / own, 0, 1) : 0;
            }

            var active = CpuTicks + WaitTicks;
            return MeasuredBatches == 0 || active <= 0 ? 1 : Math.Clamp((double)CpuTicks / active, 0, 1);
        }
    }

    /// <summary>Gets the share of the measured wall time the items spent off the CPU for reasons of their own (0 to 1): <see cref="WaitTicks"/>.</summary>
    public double WaitShare => MeasuredWallTicks > 0 ? Math.Clamp((double)WaitTicks / MeasuredWallTicks, 0, 1) : 0;

    /// <summary>Gets the share of the measured wall time spent waiting for a core (0 to 1).</summary>
    public double Contention => MeasuredWallTicks > 0 ? Math.Clamp((double)RunQueueTicks / MeasuredWallTicks, 0, 1) : 0;

    /// <summary>Gets the time one item takes on an idle machine (wall time minus run-queue wait, at least its CPU time); for
    /// work in flight, the time in flight.</summary>
    public TimeSpan TimePerItem => TimeSpan.FromTicks((long)(NanosecondsPerItem / 100));

    // Batches of tiny items are measured only when they last 25 µs or more (AutoWorker.OnBatchEnd), which on a loaded machine
    // is the few that were held (preempted, a page fault, the JIT): from those alone a 10 ns item read 33-518 µs and was
    // planned batch 1-16, three times slower (review 60). Every batch's wall time, waits for a core included, is an upper
    // bound on what an item took, so the measured batches' figure is taken at most at that.
    /// <summary>Gets <see cref="TimePerItem"/> in nanoseconds, without rounding to whole ticks (100 ns): tiny items
    /// take a few nanoseconds, and a job's size is their time times a count in the millions.</summary>
    public double NanosecondsPerItem => 100.0 * (MostlyInFlight
        ? (double)PendingWallTicks / Math.Max(1, PendingItems)
        : MeasuredItems > 0 ? Math.Min((double)OwnWallTicks / MeasuredItems, Items > 0 && Items > MeasuredItems ? (double)WallTicks / Items : double.MaxValue)
        : Items > 0 ? (double)WallTicks / Items : 0);

    // The measured batches' wall time less their run-queue wait. A thread on the CPU was not waiting for one, so that is at
    // least their CPU time; a run-queue reading larger than the batches' wall less their CPU time is a measuring error, and
    // without this floor the items took no time at all (seen under load: a 2,000-item job "takes 0 ns", run sequentially).
    private long OwnWallTicks => Math.Max(Math.Max(0, MeasuredWallTicks - RunQueueTicks), Math.Min(CpuTicks, MeasuredWallTicks));

    /// <summary>Gets the CPU time per item.</summary>
    public TimeSpan CpuTimePerItem => MostlyInFlight
        ? TimeSpan.FromTicks(PendingCpuTicks / Math.Max(1, PendingMeasuredItems))
        : MeasuredItems > 0 ? TimeSpan.FromTicks(CpuTicks / MeasuredItems) : TimePerItem;

    /// <summary>Gets the off-CPU wait per item (not counting run-queue wait or GC pauses).</summary>
    public TimeSpan WaitPerItem => MeasuredItems > 0 ? TimeSpan.FromTicks(WaitTicks / MeasuredItems) : TimeSpan.Zero;

    /// <summary>Gets the bytes allocated per item.</summary>
    public double AllocatedBytesPerItem => Items > 0 ? (double)AllocatedBytes / Items : 0;

    /// <summary>Adds two samples.</summary>
    public static WorkSample operator +(WorkSample a, WorkSample b) => new()
    {
        Items = a.Items + b.Items,
        Batches = a.Batches + b.Batches,
        WallTicks = a.WallTicks + b.WallTicks,
        AllocatedBytes = a.AllocatedBytes + b.AllocatedBytes,
        MeasuredItems = a.MeasuredItems + b.MeasuredItems,
        MeasuredBatches = a.MeasuredBatches + b.MeasuredBatches,
        MeasuredWallTicks = a.MeasuredWallTicks + b.MeasuredWallTicks,
        CpuTicks = a.CpuTicks + b.CpuTicks,
        SoloItems = a.SoloItems + b.SoloItems,
        SoloBatches = a.SoloBatches + b.SoloBatches,
        SoloCpuTicks = a.SoloCpuTicks + b.SoloCpuTicks,
        SoloGcPauseTicks = a.SoloGcPauseTicks + b.SoloGcPauseTicks,
        RunQueueTicks = a.RunQueueTicks + b.RunQueueTicks,
        GcPauseTicks = a.GcPauseTicks + b.GcPauseTicks,
        PendingItems = a.PendingItems + b.PendingItems,
        PendingWallTicks = a.PendingWallTicks + b.PendingWallTicks,
        PendingCpuTicks = a.PendingCpuTicks + b.PendingCpuTicks,
        PendingUnmeasuredItems = a.PendingUnmeasuredItems + b.PendingUnmeasuredItems,
        PendingRunQueueTicks = a.PendingRunQueueTicks + b.PendingRunQueueTicks,
        JitTicks = a.JitTicks + b.JitTicks,
        CompilingWallTicks = a.CompilingWallTicks + b.CompilingWallTicks,
        LockContentions = a.LockContentions + b.LockContentions,
        LockWaitTicks = a.LockWaitTicks + b.LockWaitTicks,
        LockItems = a.LockItems + b.LockItems,
        TimedLockWaitTicks = a.TimedLockWaitTicks + b.TimedLockWaitTicks,
        LockBusyTicks = a.LockBusyTicks + b.LockBusyTicks,
        LockElapsedTicks = a.LockElapsedTicks + b.LockElapsedTicks,
        LockTiming = Known(a, b),
    };

    /// <summary>Subtracts an earlier snapshot from a later one: what happened in between.</summary>
    public static WorkSample operator -(WorkSample a, WorkSample b) => new()
    {
        Items = a.Items - b.Items,
        Batches = a.Batches - b.Batches,
        WallTicks = a.WallTicks - b.WallTicks,
        AllocatedBytes = a.AllocatedBytes - b.AllocatedBytes,
        MeasuredItems = a.MeasuredItems - b.MeasuredItems,
        MeasuredBatches = a.MeasuredBatches - b.MeasuredBatches,
        MeasuredWallTicks = a.MeasuredWallTicks - b.MeasuredWallTicks,
        CpuTicks = a.CpuTicks - b.CpuTicks,
        SoloItems = a.SoloItems - b.SoloItems,
        SoloBatches = a.SoloBatches - b.SoloBatches,
        SoloCpuTicks = a.SoloCpuTicks - b.SoloCpuTicks,
        SoloGcPauseTicks = a.SoloGcPauseTicks - b.SoloGcPauseTicks,
        RunQueueTicks = a.RunQueueTicks - b.RunQueueTicks,
        GcPauseTicks = a.GcPauseTicks - b.GcPauseTicks,
        PendingItems = a.PendingItems - b.PendingItems,
        PendingWallTicks = a.PendingWallTicks - b.PendingWallTicks,
        PendingCpuTicks = a.PendingCpuTicks - b.PendingCpuTicks,
        PendingUnmeasuredItems = a.PendingUnmeasuredItems - b.PendingUnmeasuredItems,
        PendingRunQueueTicks = a.PendingRunQueueTicks - b.PendingRunQueueTicks,
        JitTicks = a.JitTicks - b.JitTicks,
        CompilingWallTicks = a.CompilingWallTicks - b.CompilingWallTicks,
        LockContentions = a.LockContentions - b.LockContentions,
        LockWaitTicks = a.LockWaitTicks - b.LockWaitTicks,
        LockItems = a.LockItems - b.LockItems,
        TimedLockWaitTicks = a.TimedLockWaitTicks - b.TimedLockWaitTicks,
        LockBusyTicks = a.LockBusyTicks - b.LockBusyTicks,
        LockElapsedTicks = a.LockElapsedTicks - b.LockElapsedTicks,
        LockTiming = Known(a, b),
    };

    // What both samples know of their lock waits; a sample without lock figures (a warm-up sample, the run's start) takes
    // nothing away.
    private static LockTiming Known(in WorkSample a, in WorkSample b) =>
        b.LockItems == 0 && b.LockBusyTicks == 0 ? a.LockTiming
        : a.LockItems == 0 && a.LockBusyTicks == 0 ? b.LockTiming
        : a.LockTiming < b.LockTiming ? a.LockTiming : b.LockTiming;

    /// <summary>Builds a fully measured sample from per-item figures, for cached plans and tests.</summary>
    public static WorkSample FromPerItem(long items, TimeSpan wallPerItem, TimeSpan cpuPerItem, TimeSpan runQueuePerItem = default, double allocatedBytesPerItem = 0, TimeSpan gcPausePerItem = default) => new()
    {
        Items = items,
        Batches = Math.Max(1, items),
        WallTicks = wallPerItem.Ticks * items,
        AllocatedBytes = (long)(allocatedBytesPerItem * items),
        MeasuredItems = items,
        MeasuredBatches = Math.Max(1, items),
        MeasuredWallTicks = wallPerItem.Ticks * items,
        CpuTicks = cpuPerItem.Ticks * items,
        RunQueueTicks = runQueuePerItem.Ticks * items,
        GcPauseTicks = gcPausePerItem.Ticks * items,
    };

    /// <summary>Builds a sample of asynchronous items in flight from per-item figures, for cached plans and tests.</summary>
    public static WorkSample InFlightPerItem(long items, TimeSpan inFlightPerItem, TimeSpan syncCpuPerItem) => new()
    {
        PendingItems = items,
        PendingWallTicks = inFlightPerItem.Ticks * items,
        PendingCpuTicks = syncCpuPerItem.Ticks * items,
    };
}
