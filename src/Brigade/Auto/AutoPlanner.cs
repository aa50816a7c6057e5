namespace Brigade.Auto;

/// <summary>
/// Auto mode's decisions as pure functions of measurements: the class of a sample, and the plan for it.
/// Everything that depends on the clock or the machine comes in through <see cref="WorkSample"/> and <see cref="PlanContext"/>,
/// so the rules are tested on synthetic measurements.
/// </summary>
internal static class AutoPlanner
{
    /// <summary>CPU ratio at or above which work is CPU-bound. A CPU-bound item measures about 0.9-1.0 once run-queue
    /// waits and GC pauses are taken out, even on a machine shared with other builds; without run-queue figures
    /// (not Linux) contention pulls it down, hence the margin.</summary>
    public const double CpuBoundMin = 0.75;

    /// <summary>CPU ratio at or below which work is blocking. Sleeps and device waits measure under 0.05; a blocking
    /// item's CPU stays near zero however busy the machine is, because waiting for a core is not counted.</summary>
    public const double BlockingMax = 0.35;

    /// <summary>CPU ratio at or below which items still running are pure waits (sleeps, a device, a remote call): a thread
    /// blocked from its first millisecond, whose wait Little's law cannot bound until it ends.</summary>
    public const double PureWaitMax = 0.05;

    /// <summary>What starting one dedicated thread costs the run, about (a clone, a stack, the thread's first batch), on a
    /// busy machine. With it, the width for pure waits is the one that minimizes the items' waves plus the threads' starts.</summary>
    public static readonly TimeSpan ThreadStartCost = TimeSpan.FromMicroseconds(100);

    /// <summary>For asynchronous items in flight: the largest share of in-flight time their synchronous part may take
    /// for the work to count as asynchronous I/O; above it the work computes more than it waits.</summary>
    public const double AsyncCpuMax = 0.5;

    /// <summary>For items whose CPU is spent in child processes (<see cref="AutoEngineOptions.ReportsExternalCpu"/>): the
    /// children's CPU share of the time in flight at or above which the work is CPU-bound.</summary>
    public const double ExternalCpuBoundMin = 0.6;

    /// <summary>Lock contentions per item at or above which items that wait part of their time are taken to wait for each
    /// other, not for a device. A monitor spins before it waits, so two workers serialized by a lock around computation
    /// are counted as contending only on some hand-overs (one in three to one in ten items, measured); a lock taken briefly
    /// (a log line, a counter, Brigade's own bookkeeping) contends a few times in a hundred items at the sample's width.</summary>
    public const double SerializedContentionsMin = 0.2;

    /// <summary>Lock contentions per item at or above which the lock serializes (nearly) all of each item: one worker.</summary>
    public const double FullySerializedContentions = 0.5;

    /// <summary>The share of the workers' time in batches spent waiting for a lock (timed: <see cref="WorkSample.LockWaitShare"/>)
    /// at or above which the lock, not the cores or a device, bounds the run. <c>k</c> workers behind a lock each item holds a
    /// share <c>s</c> of its time wait <c>1 − 1/(k·s)</c> of theirs once the lock is busy all the time (<c>k·s ≥ 1</c>), and
    /// only now and then before: a quarter, at the sample's width of two, is a lock held two thirds of each item or more
    /// (two threads then gain at most 1.5×); a lock taken briefly (a counter, a log line, Brigade's own bookkeeping) costs a
    /// few percent at most, however often it contends.</summary>
    public const double SerializedWaitShareMin = 0.25;

    /// <summary>Timed lock waits: the most workers free of the lock on average, k·(1 − share − run-queue share), for which a
    /// serialized plan runs one thread (the lock holds at least two thirds of each item). A sample's share reads low, never
    /// high, so the figure errs large: one is planned only on clear evidence, two otherwise.</summary>
    public const double LockAroundAllOfIt = 1.5;

    /// <summary>A serialized plan's timed window in which fewer than this many workers on average waited for the lock or for
    /// a core: the lock is not busy all the time at the plan's width, so more threads would run more items (see
    /// <see cref="LockSaturated"/>). Below saturation, waits come only from chance collisions: at a lock held half of each
    /// item, two workers wait about a quarter of a worker between them; behind a lock around the whole item, one of two waits.</summary>
    public const double LockFreeWaitersMax = 0.5;

    /// <summary>Whether a serialized plan's timed window shows the lock busy at the plan's width: the workers in batches
    /// (<see cref="WorkSample.LockWorkers"/>) waited, between them, <see cref="LockFreeWaitersMax"/> of a worker or more for
    /// the lock or for a core; or they were not all in batches (fewer items than workers, or starting).</summary>
    /// <param name="window">A timed window of the plan.</param>
    /// <param name="width">The plan's width.</param>
    public static bool LockSaturated(in WorkSample window, int width)
    {
        var k = window.LockWorkers;
        return window.LockTiming != LockTiming.Timed || k < width - 0.5 || k * (window.LockWaitShare + window.Contention) >= LockFreeWaitersMax;
    }

    /// <summary>The least speedup over one worker, by the CPU time per item, for which a CPU-bound plan runs more than one:
    /// <c>w</c> workers whose items each take <c>g</c> times the CPU time they take alone finish them <c>w / g</c> times as
    /// fast as one, at best. Work that contends on shared memory (a <c>ConcurrentDictionary</c> on a few keys, one
    /// <c>Interlocked</c> counter, adjacent array slots written by every worker) runs its compare-and-swap retries and cache
    /// misses on the CPU, so its CPU ratio stays near 1; its CPU per item is what grows. Under 1.1 (two workers at 1.8× the
    /// CPU per item or more) the second worker gains nothing worth a core; above it, the hyperthreads of one core (each
    /// item ~1.3–1.7× slower beside the other, for ~1.2–1.5× the throughput) still count as a gain.</summary>
    public const double MinWidthGain = 1.1;

    /// <summary>The share of the sample's time waiting for a core under which it may plan one worker for contended items:
    /// on a busy machine two workers are seldom on the cores at the same time, so their items seldom contend, and the
    /// second worker's gain is a second share of the machine (measured at load 18 on 2 cores: false sharing read 3.1× the
    /// CPU per item beside another worker in one sample, 1.4× over the run, and two workers took 0.4–0.8 of one's time).</summary>
    public const double ScalingBusyMax = 0.25;

    /// <summary>The fewest measured batches, on each side (alone, and beside another worker), for a verdict on scaling.</summary>
    public const int MinScalingBatches = 2;

    /// <summary>The least CPU time of the measured batches, on each side, for a verdict on scaling: a few items' CPU time
    /// is noise (an interrupt, a page fault, a cache warmed by the previous batch).</summary>
    public static readonly TimeSpan MinScalingCpu = TimeSpan.FromMicroseconds(200);

    /// <summary>Whether a sample measured enough batches alone and beside another worker to tell how the CPU time per item
    /// grows with the width (see <see cref="CpuGrowth"/>).</summary>
    /// <param name="sample">What was measured.</param>
    public static bool ScalingMeasured(in WorkSample sample) =>
        sample.SoloBatches >= MinScalingBatches && sample.BesideBatches >= MinScalingBatches &&
        sample.SoloItems > 0 && sample.BesideItems > 0 &&
        SoloItemCpu(sample) >= MinScalingCpu.Ticks && BesideItemCpu(sample) >= MinScalingCpu.Ticks;

    /// <summary>The CPU time per item of the batches that ran beside another worker, over that of the batches that ran
    /// alone: 1 for work that shares nothing, more for work that contends on shared memory; null when not measured
    /// (<see cref="ScalingMeasured"/>). Both net of the GC pauses during them: a workstation collection runs on the thread
    /// that allocated, on its CPU clock, and a sample's collections come in lumps (none in the first millisecond alone,
    /// several beside: regex over lines, 504 B per item, read 1.9× with them and scales).</summary>
    /// <param name="sample">What was measured.</param>
    public static double? CpuGrowth(in WorkSample sample) =>
        ScalingMeasured(sample)
            ? ((double)BesideItemCpu(sample) / sample.BesideItems) / ((double)SoloItemCpu(sample) / sample.SoloItems)
            : null;

    /// <summary>The CPU time of the batches that ran alone, less the GC pauses during them (the items' own, at most).</summary>
    /// <param name="sample">What was measured.</param>
    public static long SoloItemCpu(in WorkSample sample) => Math.Max(0, sample.SoloCpuTicks - sample.SoloGcPauseTicks);

    /// <summary>The CPU time of the batches that ran beside another worker, less the GC pauses during them.</summary>
    /// <param name="sample">What was measured.</param>
    public static long BesideItemCpu(in WorkSample sample) => Math.Max(0, sample.BesideCpuTicks - sample.BesideGcPauseTicks);

    /// <summary>The share of the measured time in GC pauses at or above which CPU-bound work is GC-bound.</summary>
    public const double GcBoundMin = 0.2;

    /// <summary>Headroom over Little's law for the first asynchronous limit (see <see cref="Decide"/>).</summary>
    public const int AsyncHeadroom = 2;

    /// <summary>How long a batch should last on in-process workers: long enough that the per-batch cost (taking items,
    /// four clock reads, delivering results: about 4 µs) stays under half a percent; short enough to rebalance and re-plan.</summary>
    public static readonly TimeSpan TargetBatch = TimeSpan.FromMilliseconds(1);

    /// <summary>The batch duration for a sequential plan: one worker has nobody to balance with.</summary>
    public static readonly TimeSpan SequentialTargetBatch = TimeSpan.FromMilliseconds(10);

    /// <summary>The batch duration for an isolated engine, whose per-batch cost is an inter-process round trip (~50 µs).</summary>
    public static readonly TimeSpan IsolatedTargetBatch = TimeSpan.FromMilliseconds(10);

    /// <summary>What starting one worker process costs the run, about (a runtime start, loading the work's assembly: ~0.3 s
    /// of CPU measured at load, review 64): with it, the width of waiting work on an isolated engine is the one that minimizes
    /// the items' waves plus the workers' starts, √(items × time per item / start), never Little's law's hundreds of processes.</summary>
    public static readonly TimeSpan IsolatedStartCost = TimeSpan.FromMilliseconds(300);

    /// <summary>The largest batch auto mode plans; the same ceiling as adaptive batching.</summary>
    public const int MaxBatch = 1 << 16;

    /// <summary>Classifies a sample.</summary>
    /// <param name="sample">What was measured.</param>
    /// <param name="externalCpu">Whether the items report CPU time used elsewhere (<see cref="AutoEngineOptions.ReportsExternalCpu"/>).</param>
    /// <returns>The class; <see cref="WorkloadClass.Unknown"/> when nothing was measured. Never <see cref="WorkloadClass.Tiny"/>: that depends on the job's size, see <see cref="Decide"/>.</returns>
    public static WorkloadClass Classify(in WorkSample sample, bool externalCpu = false)
    {
        if (sample.TotalItems == 0)
        {
            return WorkloadClass.Unknown;
        }

        var ratio = sample.CpuRatio;
        if (sample.MostlyInFlight && externalCpu)
        {
            // Items that wait on child processes: the children's CPU against their own time in flight (less the time
            // they waited for a core, where the work reports it: ExternalCpuTime.Add(cpu, runQueueWait)). Where it does
            // not, a busy machine pulls the ratio down: CPU-bound children then read as mixed (a modest widening), never
            // as asynchronous I/O (a wide one).
            return ratio >= ExternalCpuBoundMin ? WorkloadClass.CpuBound
                : ratio <= BlockingMax ? WorkloadClass.AsyncIo
                : WorkloadClass.Mixed;
        }

        if (sample.MostlyInFlight)
        {
            return ratio <= AsyncCpuMax ? WorkloadClass.AsyncIo : WorkloadClass.Mixed;
        }

        // A timed lock wait is the lock's whatever the CPU did meanwhile (a monitor spins before it waits, and the spin is CPU).
        if ((ratio < CpuBoundMin || sample.LockTiming == LockTiming.Timed) && WaitsForLocks(sample, ratio))
        {
            return WorkloadClass.Serialized;
        }

        return ratio >= CpuBoundMin ? WorkloadClass.CpuBound
            : ratio <= BlockingMax ? WorkloadClass.Blocking
            : WorkloadClass.Mixed;
    }

    /// <summary>Whether the items' waits are waits for locks the others hold: time waiting on Brigade's primitives making up
    /// half of the items' waits; or, where plain <c>lock</c> is timed (<see cref="WorkSample.LockTiming"/>), the workers
    /// waiting for locks a quarter of their time or more (<see cref="SerializedWaitShareMin"/>), or for half of the time
    /// the items wait (Little's law would widen for waits that do not overlap); where it is only counted
    /// (<see cref="Monitor.LockContentionCount"/>: contentions, not their length), once in five items or more while the
    /// items wait part of their time.</summary>
    /// <remarks>
    /// <para>Timed waits are the evidence wherever they exist: a count cannot tell a lock held for a whole item from one held
    /// for a microsecond, nor the items' locks from Brigade's own (which contend between batches; under load a preempted
    /// holder makes them contend often). While timing is starting (<see cref="LockTiming.Pending"/>) counts are not used:
    /// the plan follows the CPU ratio, and the monitor re-plans once timed windows show the lock.</para>
    /// <para>Without timing, a count is trusted only where it fits the picture: a lock around computation, at a sample's
    /// width of two, makes each item wait about as long as it computes (cpu/wall near 0.5). Items that barely use the CPU
    /// wait for something else (a sleep, a device), whatever they contend on the way.</para>
    /// </remarks>
    public static bool WaitsForLocks(in WorkSample sample, double ratio)
    {
        if (sample.LockItems <= 0)
        {
            return false;
        }

        var lockWaitPerItem = (double)sample.LockWaitTicks / sample.LockItems;
        if (lockWaitPerItem > 0 && lockWaitPerItem * 2 >= sample.WaitPerItem.Ticks)
        {
            return true;
        }

        return sample.LockTiming switch
        {
            LockTiming.Timed => sample.LockWaitShare >= SerializedWaitShareMin || (ratio < CpuBoundMin && sample.LockWaitShare * 2 >= sample.WaitShare && sample.LockWaitShare > 0),
            LockTiming.Pending => false,
            _ => ratio > BlockingMax && sample.ContentionsPerItem >= SerializedContentionsMin,
        };
    }

    /// <summary>Makes the plan for a sample.</summary>
    /// <param name="sample">What was measured.</param>
    /// <param name="context">The run and machine.</param>
    /// <returns>The decision, or <see langword="null"/> when nothing was measured.</returns>
    public static PlanDecision? Decide(in WorkSample sample, in PlanContext context) =>
        DecideAny(sample, context) is { } decision ? Among(decision, context) : null;

    // Stand-ins for an engine the options leave out (AutoEngineOptions.Engines), best first: the same loop where there is
    // one (the thread pool, async concurrency and one-after-another all run on tasks), else the other in-process loop.
    // Asynchronous I/O goes to the thread pool's task loops before dedicated threads: a task loop awaits its item as async
    // concurrency does (the same loop, the same adaptive limit), where a dedicated thread blocks for each item in flight
    // (review 65: --engines threadpool,threads ran async work on 1,024 threads).
    private static readonly Dictionary<string, string[]> StandIns = new(StringComparer.Ordinal)
    {
        ["sequential"] = ["threadpool", "async", "threads"],
        ["threadpool"] = ["threads", "async", "sequential"],
        ["threads"] = ["threadpool", "async", "sequential"],
        ["async"] = ["threadpool", "threads", "sequential"],
    };

    /// <summary>The decision on an engine <see cref="AutoEngineOptions.Engines"/> allows: as made when it is allowed (or
    /// there is no such list, or it runs on the isolated engine), else planned again on the first allowed stand-in, its line
    /// saying which engine would fit better and why (review 64: advise --engines threads,processes measured auto's plan on
    /// async, an engine the user had ruled out). The stand-in keeps the width and batch where they mean the same on it, and
    /// takes its own where they do not (review 65): one worker, with a sequential batch, one after the other; for asynchronous
    /// I/O on dedicated threads, a thread per item in flight, weighed against the threads' starts and within
    /// <see cref="PlanContext.ThreadCeiling"/>; for blocking work on the thread pool's loops, the same width, said to hold a
    /// pool thread per waiting item.</summary>
    /// <param name="decision">The plan as made on any engine.</param>
    /// <param name="context">The run and machine, with the options.</param>
    /// <returns>The plan on an allowed engine.</returns>
    internal static PlanDecision Among(PlanDecision decision, in PlanContext context)
    {
        if (context.Options.Engines is not { Count: > 0 } allowed || decision.Kind == LoopKind.Isolated || allowed.Contains(decision.Engine) ||
            !StandIns.TryGetValue(decision.Engine, out var standIns) || standIns.FirstOrDefault(allowed.Contains) is not { } engine)
        {
            return decision;
        }

        var (kind, head) = engine switch
        {
            "threads" => (LoopKind.Thread, "Threads"),
            "threadpool" => (LoopKind.Task, "ThreadPool"),
            "async" => (LoopKind.Task, "Async"),
            _ => (LoopKind.Task, "Sequential"),
        };
        if (engine == "async" && decision.Class == WorkloadClass.AsyncIo)
        {
            head += " (adaptive limit)";
        }

        var sample = decision.Sample;
        var cores = Math.Max(1, context.Cores);
        var open = context.ItemCount is { } count ? Math.Max(1, count - context.ItemsDone) : long.MaxValue;
        var perItem = sample.TimePerItem;
        var width = decision.Width;
        var batch = decision.BatchSize;
        var target = decision.TargetBatch;
        var note = "";
        if (engine == "sequential" || decision.Engine == "sequential")
        {
            width = 1;
            if (engine == "sequential" && decision.Class is WorkloadClass.CpuBound or WorkloadClass.Serialized or WorkloadClass.Mixed &&
                context.BatchSize is null && perItem > TimeSpan.Zero)
            {
                // One worker has nobody to balance with: a batch as long as a sequential plan's, not the parallel plan's.
                target = SequentialTargetBatch;
                batch = (int)Math.Clamp(Math.Min(open, BatchFor(perItem, target)), 1, MaxBatch);
            }
        }
        else if (kind == LoopKind.Thread && decision.Class == WorkloadClass.AsyncIo)
        {
            // A dedicated thread blocks for its item's whole time in flight: as for blocking work, a job of a known size
            // weighs the threads' starts against the waves they save (√(items × time / start)), within the thread ceiling.
            var startBound = context.ItemCount is null || perItem <= TimeSpan.Zero ? double.PositiveInfinity
                : StartBalanced(open, perItem, context.ThreadStart);
            var wanted = Math.Min(decision.Width, Math.Max(startBound, cores));
            width = Cap((int)Math.Clamp(wanted, 1, context.ThreadCeiling), context, open);
            note = width >= decision.Width ? "; on dedicated threads, a thread per item in flight"
                : wanted < decision.Width && width == (int)Math.Max(1, wanted)
                    ? $"; on dedicated threads, a thread per item in flight: thread starts limit it to √(items × time / start{StartNote(context)}) = {AutoFormat.Count((long)wanted)}"
                    : "; on dedicated threads, a thread per item in flight" + Capped(decision.Width, width, context.ThreadCeiling, context, open);
        }
        else if (kind == LoopKind.Thread)
        {
            width = Math.Max(1, Math.Min(decision.Width, context.ThreadCeiling));
        }
        else if (decision.Kind == LoopKind.Thread && decision.Class is WorkloadClass.Blocking or WorkloadClass.Mixed && width > 1)
        {
            // The plan's width is what the waits need; on the thread pool each waiting item holds a pool thread, and the pool
            // adds threads past its minimum only as it sees them blocked (about one or two a second): said, not hidden.
            note = "; dedicated threads would fit better: each waiting item holds a pool thread, and past its minimum the pool starts threads slowly";
        }

        var line = decision.Explanation;
        var suffix = Suffix(context);
        var ending = suffix.Length > 0 && line.EndsWith(suffix, StringComparison.Ordinal) ? suffix : "";
        line = line[..^ending.Length];
        var dash = line.IndexOf(" — ", StringComparison.Ordinal);
        var why = dash >= 0 ? line[(dash + 3)..] : line;
        line = $"{head} ×{width}, batch {batch} — {decision.Engine} is not among the engines allowed ({string.Join(", ", allowed)}): {why}{note}{ending}";
        return decision with { Kind = kind, Engine = engine, Width = width, BatchSize = batch, TargetBatch = target, Explanation = line };
    }

    private static PlanDecision? DecideAny(in WorkSample sample, in PlanContext context)
    {
        var measured = Classify(sample, context.Options.ReportsExternalCpu);
        if (measured == WorkloadClass.Unknown)
        {
            return null;
        }

        var options = context.Options;
        var cores = Math.Max(1, context.Cores);
        var perItem = sample.TimePerItem;
        var open = context.ItemCount is { } count ? Math.Max(1, count - context.ItemsDone) : long.MaxValue;
        var wholeJob = context.ItemCount is { } n ? TimeSpan.FromTicks((long)(sample.NanosecondsPerItem * n / 100)) : (TimeSpan?)null;
        var isolated = options.IsolatedEngine;

        string engine, head, why;
        LoopKind kind;
        int width, batch;
        var cls = measured;
        var target = TargetBatch;
        var narrowed = false;

        if (!context.NotWholeJob && measured is WorkloadClass.CpuBound or WorkloadClass.Mixed && wholeJob is { } whole && whole < options.MinParallelWork && isolated is null)
        {
            cls = WorkloadClass.Tiny;
            kind = LoopKind.Task;
            engine = "sequential";
            width = 1;
            target = SequentialTargetBatch;
            batch = context.BatchSize ?? (int)Math.Clamp(Math.Min(open, BatchFor(perItem, target)), 1, MaxBatch);
            var explanation = $"Sequential — not worth parallelizing: the whole job takes {AutoFormat.Duration(whole)} " +
                $"({AutoFormat.Count(context.ItemCount!.Value)} items × {AutoFormat.Nanoseconds(sample.NanosecondsPerItem)})";
            return new PlanDecision(cls, kind, engine, width, batch, target, explanation + Suffix(context), sample, measured) { FromRunningItems = context.FromRunningItems };
        }

        switch (measured)
        {
            case WorkloadClass.CpuBound:
                width = Cap(cores, context, open);
                (kind, engine, head) = isolated is null ? (LoopKind.Task, "threadpool", "ThreadPool") : (LoopKind.Isolated, isolated.Name, isolated.Name);
                why = $"CPU-bound (cpu/wall {AutoFormat.Ratio(sample.CpuRatio)}), {AutoFormat.Nanoseconds(sample.NanosecondsPerItem)} per item, {cores} cores";
                if (isolated is null && width > 1 && sample.Contention < ScalingBusyMax && (CpuGrowth(sample) ?? context.CpuGrowth) is { } growth &&
                    width / growth < MinWidthGain)
                {
                    // The items cost more CPU beside each other than alone: they contend on something shared (see
                    // MinWidthGain), and more workers only burn more cores on it. (Worker processes share no memory.)
                    var beside = sample.BesideItems > 0 ? 100.0 * BesideItemCpu(sample) / sample.BesideItems : 0;
                    var alone = sample.SoloItems > 0 ? 100.0 * SoloItemCpu(sample) / sample.SoloItems : 0;
                    why += $"; one worker, not {width}: " + (beside > 0 && alone > 0
                        ? $"an item took {AutoFormat.Nanoseconds(beside)} of CPU beside another worker against {AutoFormat.Nanoseconds(alone)} alone "
                        : "an item took more CPU beside another worker than alone, as a remembered run measured ") +
                        $"({growth.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}×: contention on shared memory or a spinning lock), " +
                        $"so {width} workers finish items no faster than one";
                    width = 1;
                    narrowed = true;
                }

                break;

            case WorkloadClass.Serialized:
            {
                // More threads only queue at the lock, and every hand-over wakes a thread: one worker when the lock
                // holds nearly all of an item, two when a good part of it runs outside (that part then overlaps).
                (kind, engine, head) = isolated is null ? (LoopKind.Thread, "threads", "Threads") : (LoopKind.Isolated, isolated.Name, isolated.Name);
                why = $"serialized by a lock ({LockFigures(sample)}, cpu/wall {AutoFormat.Ratio(sample.CpuRatio)}), {AutoFormat.Duration(perItem)} per item: " +
                    "a lock serializes the items: parallel threads cannot help";
                if (sample.LockTiming == LockTiming.Timed && sample.LockWaitShare > 0 && sample.LockWorkers > 0)
                {
                    // Timed: of the k workers, k·(1 − share) on average were not waiting for the lock. That is what the
                    // lock lets run at once, in theory (a worker waiting for a core is not held by the lock: counting it
                    // out would read a busy machine as a tighter lock, and a plan of one is never widened);
                    // but an error in the share is multiplied by k, and a sample's share reads low (waits still under way,
                    // events not yet delivered): 30 workers behind a lock around the whole item read 80% for 97%, ×6 for
                    // ×1. So the sample only tells one from more: one when even its reading leaves at most one and a half
                    // workers free (its error makes that figure larger, never smaller), else two; the monitor widens a
                    // plan of two from its own timed windows while the lock is not busy at its width (LockSaturated).
                    var unblocked = sample.LockWorkers * (1 - sample.LockWaitShare);
                    var one = unblocked <= LockAroundAllOfIt;
                    width = Cap(one ? 1 : Math.Min(2, cores), context, open);
                    why += $" past {AutoFormat.Count(width)} ({sample.LockWorkers:0.#} workers waited {sample.LockWaitShare * 100:0}% of their time for it" +
                        (one || width < 2 ? ")" : "; wider once the lock is seen free at this width)");
                    break;
                }

                var lockWaitShare = sample.MeasuredWallTicks > 0 ? Math.Min(1, (double)sample.LockWaitTicks / sample.MeasuredWallTicks) : 0;
                var allOfIt = sample.ContentionsPerItem >= FullySerializedContentions || lockWaitShare >= 0.4;
                width = Cap(allOfIt ? 1 : Math.Min(2, cores), context, open);
                break;
            }

            case WorkloadClass.AsyncIo:
            {
                // Little's law with 2× headroom: the CPU measured is the items' synchronous part only (continuations
                // run elsewhere), and for asynchronous I/O too many in flight costs waiting items while too few costs
                // throughput. AIMD then backs off if latency rises without throughput to show for it.
                var cpu = Math.Max(sample.CpuTimePerItem.Ticks, 10);
                var little = Math.Ceiling(AsyncHeadroom * cores * ((double)perItem.Ticks / cpu));
                if (isolated is not null)
                {
                    (kind, engine, head) = (LoopKind.Isolated, isolated.Name, isolated.Name);
                    why = $"async I/O ({AutoFormat.Duration(perItem)} in flight, {AutoFormat.Duration(sample.CpuTimePerItem)} CPU per item); " +
                        $"Little's law {AsyncHeadroom} × {cores} × {AutoFormat.Duration(perItem)} / {AutoFormat.Duration(TimeSpan.FromTicks(cpu))} = {AutoFormat.Count((long)Math.Min(little, 1e12))}" +
                        IsolatedWidth(little, perItem, cores, context, open, out width);
                    break;
                }

                width = Cap(Between(little, cores, options.MaxConcurrency), context, open);
                (kind, engine, head) = isolated is null ? (LoopKind.Task, "async", "Async") : (LoopKind.Isolated, isolated.Name, isolated.Name);
                head += " (adaptive limit)";
                why = $"async I/O ({AutoFormat.Duration(perItem)} in flight, {AutoFormat.Duration(sample.CpuTimePerItem)} CPU per item); " +
                    $"Little's law {AsyncHeadroom} × {cores} × {AutoFormat.Duration(perItem)} / {AutoFormat.Duration(TimeSpan.FromTicks(cpu))} = {AutoFormat.Count((long)Math.Min(little, 1e12))}" +
                    Capped(little, width, options.MaxConcurrency, context, open);
                break;
            }

            default:
            {
                // Little's law (Goetz's form): threads = cores × (1 + wait / compute) keeps every core busy while the
                // other threads wait. Waits for a core and GC pauses are not "wait" here: more threads would not fill them.
                var cpu = Math.Max(sample.CpuTimePerItem.Ticks, 10);
                var wait = sample.WaitPerItem.Ticks;
                var little = Math.Ceiling(cores * (1 + ((double)wait / cpu)));
                (kind, engine, head) = isolated is null ? (LoopKind.Thread, "threads", "Threads") : (LoopKind.Isolated, isolated.Name, isolated.Name);
                if (isolated is not null)
                {
                    why = $"{AutoFormat.ClassName(measured)} (cpu/wall {AutoFormat.Ratio(sample.CpuRatio)}), {AutoFormat.Duration(perItem)} per item; " +
                        $"Little's law {cores} × (1 + {AutoFormat.Duration(TimeSpan.FromTicks(wait))} / {AutoFormat.Duration(TimeSpan.FromTicks(cpu))}) = {AutoFormat.Count((long)Math.Min(little, 1e12))}" +
                        IsolatedWidth(little, perItem, cores, context, open, out width);
                    break;
                }

                if (context.FromRunningItems && measured == WorkloadClass.Blocking && sample.CpuRatio <= PureWaitMax)
                {
                    // Items blocked from their first millisecond and still waiting: the wait so far is a lower bound, and
                    // the ratio of a few microseconds of CPU to it is noise. Waits overlap for free: as wide as allowed.
                    // N items waiting at least d each on W threads take N·d/W plus W thread starts of c: W = √(N·d/c) at best.
                    // (64 × 1 s: 800, so all 64; 400 × 10 ms: 200; 1,000 × 100 ms: 1,000.)
                    // The wait so far bounds the items' from below only: while none finishes, the monitor widens the plan
                    // as the wait grows (AutoMonitor.WidenRunningWaits), so a long wait is not cut into waves.
                    var balanced = StartBalanced(open, perItem, context.ThreadStart);
                    width = Cap(Between(balanced, cores, context.ThreadCeiling), context, open);
                    why = $"pure waits (cpu/wall {AutoFormat.Ratio(sample.CpuRatio)} over {AutoFormat.Duration(perItem)} and still waiting): " +
                        $"every item waits from its first millisecond, so they overlap; √(items × wait / thread start{StartNote(context)}) = {AutoFormat.Count((long)Math.Min(balanced, 1e12))}" +
                        Capped(balanced, width, context.ThreadCeiling, context, open);
                    break;
                }

                // A job of a known size also weighs the threads' starts against the waves they save: N items of d on W
                // threads take N·d/W plus W starts of c, least at W = √(N·d/c) (400 × 10 ms: 200 threads, not 400).
                var startBound = context.ItemCount is null ? double.PositiveInfinity : StartBalanced(open, perItem, context.ThreadStart);
                var wanted = Math.Min(little, Math.Max(startBound, cores));
                width = Cap(Between(wanted, cores, context.ThreadCeiling), context, open);
                why = $"{AutoFormat.ClassName(measured)} (cpu/wall {AutoFormat.Ratio(sample.CpuRatio)}), {AutoFormat.Duration(perItem)} per item; " +
                    $"Little's law {cores} × (1 + {AutoFormat.Duration(TimeSpan.FromTicks(wait))} / {AutoFormat.Duration(TimeSpan.FromTicks(cpu))}) = {AutoFormat.Count((long)Math.Min(little, 1e12))}" +
                    (wanted < little && width == (int)Math.Max(wanted, cores) ? $", thread starts limit it to √(items × time / start{StartNote(context)}) = {AutoFormat.Count((long)wanted)}" : Capped(little, width, context.ThreadCeiling, context, open));
                break;
            }
        }

        if (measured == WorkloadClass.CpuBound && sample.GcPauseShare >= GcBoundMin && isolated is null && sample.AllocatedBytesPerItem < 1024)
        {
            // Pauses the items' allocations cannot explain (review 45: items calling GC.Collect() read "GC-bound ... 0 B
            // allocated per item ... worker processes or Server GC scale further"): each collection stops every thread of the
            // process, whatever the heap, so neither a GC mode nor more workers is the answer.
            why += $"; {sample.GcPauseShare * 100:0}% of the time in GC pauses with {AutoFormat.Bytes(sample.AllocatedBytesPerItem)} allocated per item: " +
                "collections the items' allocations do not explain (an explicit GC.Collect, or another thread's allocations), each stopping every thread";
        }
        else if (measured == WorkloadClass.CpuBound && !context.ServerGc && sample.GcPauseShare >= GcBoundMin && isolated is null)
        {
            why += $"; GC-bound: {sample.GcPauseShare * 100:0}% of the time in GC pauses, {AutoFormat.Bytes(sample.AllocatedBytesPerItem)} allocated per item — " +
                "under workstation GC threads share one heap and its pauses: worker processes (a work type on the process engine) or Server GC (DOTNET_gcServer=1) scale further";
        }

        if (kind == LoopKind.Isolated)
        {
            target = IsolatedTargetBatch;
        }

        batch = context.BatchSize ?? (measured == WorkloadClass.AsyncIo ? 1 : BatchFor(perItem, target));
        if (sample.AllocatedBytesPerItem >= 1024 && !why.Contains("GC-bound", StringComparison.Ordinal))
        {
            why += $", {AutoFormat.Bytes(sample.AllocatedBytesPerItem)} allocated per item";
        }

        if (sample.Contention >= 0.1)
        {
            why += $", {sample.Contention * 100:0}% of the time waiting for a core";
        }

        var line = $"{head} ×{width}, batch {batch} — {why}";
        return new PlanDecision(cls, kind, engine, width, batch, target, line + Suffix(context), sample, measured)
        {
            FromRunningItems = context.FromRunningItems,
            // A growth measured on a busy machine decided nothing (ScalingBusyMax) and is not kept: the plan cache would
            // carry it to a later quiet run, whose cached sample shows no load, and pin it to one worker.
            CpuGrowth = measured == WorkloadClass.CpuBound ? (sample.Contention < ScalingBusyMax ? CpuGrowth(sample) : null) ?? context.CpuGrowth : null,
            NarrowedForGrowth = narrowed,
            FromCache = context.FromCache,
        };
    }

    /// <summary>The batch that lasts about <paramref name="target"/>, as a power of two.</summary>
    public static int BatchFor(TimeSpan perItem, TimeSpan target)
    {
        if (perItem <= TimeSpan.Zero)
        {
            return MaxBatch;
        }

        var items = target.Ticks / (double)perItem.Ticks;
        if (items < 2)
        {
            return 1;
        }

        return (int)Math.Min(MaxBatch, 1L << (int)Math.Floor(Math.Log2(items)));
    }

    private static string LockFigures(in WorkSample sample)
    {
        var figures = new List<string>(2);
        if (sample.LockContentions > 0 && sample.LockTiming != LockTiming.Timed)
        {
            figures.Add($"{AutoFormat.Ratio(sample.ContentionsPerItem)} lock contentions per item");
        }

        if (sample.LockTiming == LockTiming.Timed && sample.LockWaitShare > 0)
        {
            figures.Add($"{sample.LockWaitShare * 100:0}% of the workers' time waiting for a lock");
        }
        else if (sample.LockWaitTicks > 0 && sample.LockItems > 0)
        {
            figures.Add($"{AutoFormat.Duration(TimeSpan.FromTicks(sample.LockWaitTicks / sample.LockItems))} lock wait per item");
        }

        return figures.Count > 0 ? string.Join(", ", figures) : "lock waits";
    }

    private static int Cap(int width, in PlanContext context, long open)
    {
        if (context.MaxDegreeOfParallelism is { } max)
        {
            width = Math.Min(width, max);
        }

        return (int)Math.Max(1, Math.Min(width, open));
    }

    // Waiting work on worker processes (an isolated engine): Little's law's width, but each worker is a process start
    // (IsolatedStartCost), not a thread's: a job of a known size weighs the starts against the waves they save,
    // √(items × time / start); one of an unknown size keeps the core count (review 65: a blocking sample planned 100
    // worker processes, async I/O 1,024, and the plan cache carried the width to the next run). Each worker is also a
    // runtime's resident memory: the width is held to what the memory affords (PlanContext.ProcessCeiling), not to
    // MaxThreads and a thread's stack (review 66: 10,000 items of 1 s planned 183 processes whatever the memory).
    private static string IsolatedWidth(double little, TimeSpan perItem, int cores, in PlanContext context, long open, out int width)
    {
        var bound = context.ItemCount is null ? cores : StartBalanced(open, perItem, IsolatedStartCost);
        var wanted = Math.Min(little, Math.Max(bound, cores));
        var ceiling = context.ProcessCeiling;
        width = Cap(Between(wanted, cores, ceiling), context, open);
        var reason = wanted >= little ? ""
            : context.ItemCount is null
                ? $", {AutoFormat.Count(Math.Min(cores, (long)Math.Ceiling(wanted)))} worker processes (one per core) while the job's size is unknown: each is a process start"
                : $", worker-process starts limit it to √(items × time / start {AutoFormat.Duration(IsolatedStartCost)}) = {AutoFormat.Count((long)wanted)}";
        if (width < Cap(Between(wanted, cores, int.MaxValue), context, open))
        {
            // The memory, not the run's limit or the items left, held the width below what the work wants.
            return reason + MemoryNote(context);
        }

        if (wanted >= little || width < (int)Math.Max(wanted, cores))
        {
            return Capped(little, width, ceiling, context, open);
        }

        return reason;
    }

    // Why an isolated plan has no more workers: the memory they would take, and where the per-worker figure came from.
    private static string MemoryNote(in PlanContext context) =>
        $", memory affords {AutoFormat.Count(context.ProcessCeiling)} worker process{(context.ProcessCeiling == 1 ? "" : "es")} " +
        $"(1/{AutoWorkerProcesses.MemoryShareDivisor} of {AutoFormat.Bytes(context.AvailableMemoryBytes)} available, " +
        (context.WorkerBytesMeasured
            ? $"{AutoFormat.Bytes(context.WorkerBytes)} a worker, measured)"
            : $"{AutoFormat.Bytes(context.WorkerBytes)} a worker, assumed: not measured yet)");

    // √(items × time / start): N items of d on W workers, each a start of c, take N·d/W plus W·c, least at W = √(N·d/c)
    // (400 × 10 ms on threads: 200, not 400; 10,000 × 1 s on worker processes: 183).
    private static double StartBalanced(long open, TimeSpan perItem, TimeSpan start) =>
        Math.Ceiling(Math.Sqrt(Math.Min(open, (long)int.MaxValue) * (double)Math.Max(0, perItem.Ticks) / start.Ticks));

    // A width from a figure, at least the cores (or the ceiling, when that is lower: MaxThreads 32 on 64 cores, a memory
    // limit affording one thread, MaxConcurrency 1) and at most the ceiling. Math.Clamp(value, cores, ceiling) threw there
    // (review 65), failing the run.
    private static int Between(double value, int cores, int ceiling) => (int)Math.Clamp(value, Math.Min(cores, ceiling), ceiling);

    // The measured thread start, where it is above the planner's usual figure (so the plan says why it is narrower).
    private static string StartNote(in PlanContext context) =>
        context.ThreadStart > ThreadStartCost ? " " + AutoFormat.Duration(context.ThreadStart) : "";

    // What held the width below Little's law: the run's own limit, the items left, or auto mode's ceiling; said once, as
    // the smallest of them, so that "-j 2" never reads "capped at 1024".
    private static string Capped(double little, int width, int ceiling, in PlanContext context, long open)
    {
        if (little <= width)
        {
            return "";
        }

        if (context.MaxDegreeOfParallelism is { } max && max <= width)
        {
            return $", limited to {width} by MaxDegreeOfParallelism";
        }

        return open <= width && open < ceiling ? $", {AutoFormat.Count(open)} {(open == 1 ? "item" : "items")} left" : $", capped at {ceiling}";
    }

    private static string Suffix(in PlanContext context) =>
        (context.FromCache ? " (cached plan)" : "") + (context.Note is { } note ? $" ({note})" : "");
}
