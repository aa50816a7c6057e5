using System.Globalization;
using Brigade.Internal;

namespace Brigade.Reporting;

/// <summary>Computes a run's <see cref="RunLosses"/> from what its report already holds and the run's <see cref="LossProbe"/> counters.</summary>
/// <remarks>
/// Every figure here is either measured or the exact remainder of measured ones, so the causes sum to the gap by
/// construction; clamping (a measured loss larger than the time it can have cost) shows up as unexplained rather
/// than being hidden.
/// </remarks>
internal static class LossBreakdown
{
    // Advice is given when the run lost at least this fraction of its ideal, for causes holding this share of the gap.
    private const double AdviceWhenLost = 0.10;
    private const double AdviceShare = 0.20;

    // The growth of the CPU time per item beside another worker from which the extra counts as contention on shared memory.
    private const double SharedMemoryGrowthMin = 1.25;

    /// <summary>Gets or sets whether the process's runs are made by a caller that can keep its engine for the next run (a
    /// program can: the default), so that advice to reuse the engine can be acted on. The brigade command sets it off as it
    /// starts: each invocation makes its own engine, and its user cannot keep it across invocations (review 47: "reuse the
    /// engine across runs" followed every short brigade run on the cluster).</summary>
    /// <remarks>A setting the command declares, not a guess from the entry assembly's name (review 48: the name was
    /// "Brigade.Cli", so the tool's native front, Brigade.Cli.Native, and any host that renamed it gave the advice again).</remarks>
    public static bool CallerKeepsEngine
    {
        get => Volatile.Read(ref _callerKeepsEngine);
        set => Volatile.Write(ref _callerKeepsEngine, value);
    }

    private static bool _callerKeepsEngine = true;

    public static RunLosses Compute(RunReport report, LossProbe counters) => Compute(report, counters, CallerKeepsEngine);

    /// <summary>Computes the losses; <paramref name="callerKeepsEngine"/> says whether the caller can keep the engine for
    /// its next run (a program can; the brigade command cannot), so that advice to reuse it can be acted on.</summary>
    internal static RunLosses Compute(RunReport report, LossProbe counters, bool callerKeepsEngine) =>
        TimingLocksAfter(ComputeUntimed(report, counters, callerKeepsEngine));

    /// <summary>Losses were asked for: times plain lock waits for the runs that follow (process-wide, once); not for a run
    /// with nothing to break down (no wall time or no width).</summary>
    internal static RunLosses TimingLocksAfter(RunLosses losses)
    {
        if (losses.Ideal > TimeSpan.Zero)
        {
            PlainLockWaits.Start();
        }

        return losses;
    }

    /// <summary>Whether the run measured its workers' waits for a core, so that <see cref="RunLosses.Speedup"/> (over one
    /// worker on an idle machine) is known rather than the busy time's: on this machine's threads, any worker's wait
    /// (a worker with under a millisecond of batches measures none, and counts none in the losses either); on worker
    /// processes or silos, every worker's, as the losses require before they count any.</summary>
    internal static bool RunQueueMeasured(RunReport report)
    {
        var remote = report.Workers.Any(static w => w.Batches > 0 && w.Location is not null);
        return remote
            ? report.Workers.All(static w => w.Batches == 0 || (w.RemoteRunQueueWait is not null && w.RemoteBusy is not null))
            : report.Workers.Any(static w => w.Batches > 0 && w.Timing?.RunQueueWait is not null);
    }

    /// <summary>Computes the losses without starting the timing of plain lock waits (a report's one-line summary computes
    /// them for its headline speedup: printing a report switches nothing on).</summary>
    internal static RunLosses ComputeUntimed(RunReport report, LossProbe counters, bool callerKeepsEngine)
    {
        var wall = report.WallTime;
        var slots = Slots(report.Workers);
        // The width asked for, whose workers a lazy run was given but could not use count as lost (review 34), except
        // int.MaxValue, "as wide as the items allow": its ideal was two billion workers (every run "0% of the ideal", and
        // wall × int.MaxValue overflowed TimeSpan past ~7 minutes, so Losses threw); it is the width the items allowed.
        var asked = report.DegreeOfParallelism == int.MaxValue ? report.UsableWidth : report.DegreeOfParallelism;
        var width = Math.Max(asked, slots.Count);
        if (width == 0 || wall <= TimeSpan.Zero)
        {
            return new RunLosses { Width = width };
        }

        var ideal = wall * width;
        var lastEndAll = slots.Count > 0 ? slots.Max(static s => s.LastEnd) : TimeSpan.Zero;

        // Outside batches: before the first, between, and after the last (imbalance while another still ran; the
        // run's own finish after that). Run-queue wait is measured over each worker's span, so it splits between its
        // batches and the gaps between them in proportion; both parts count as waiting for a core.
        var remote = report.Workers.Any(static w => w.Batches > 0 && w.Location is not null);

        // Worker processes measure their own thread's wait for a core and their own wall on each chunk (protocol 7:
        // WorkerReport.RemoteRunQueueWait and RemoteBusy), and so do silos since cluster68 (the wait for synchronous work
        // only). Where every worker did, the wait is the machine's, inside the batches; before review 67 it counted as the
        // items' time (CPU-bound work on 2 worker processes beside 8 `yes` read a speedup of 2.0 for items that got a tenth
        // of a core each). Where one did not (a worker older than protocol 7, an older silo, asynchronous work on a silo),
        // no wait counts, as before: advise's measured speedup (ForecastComparison) takes the waits out of the losses'
        // useful time itself then.
        var remoteMeasured = remote && report.Workers.All(static w => w.Batches == 0 || (w.RemoteRunQueueWait is not null && w.RemoteBusy is not null));

        // Where every worker reported its own wall (a worker process; a silo, since cluster68, whose asynchronous work measures
        // no run-queue wait), the batches beyond it are transport, whether or not the wait for a core was measured too.
        var remoteOwnWall = remote && report.Workers.All(static w => w.Batches == 0 || w.RemoteBusy is not null);
        TimeSpan startUp = TimeSpan.Zero, windDown = TimeSpan.Zero, between = TimeSpan.Zero, tail = TimeSpan.Zero, busy = TimeSpan.Zero;
        TimeSpan runQueue = TimeSpan.Zero, runQueueInside = TimeSpan.Zero, contended = TimeSpan.Zero, externalRunQueue = TimeSpan.Zero;
        var startRunQueue = TimeSpan.Zero;
        foreach (var slot in slots)
        {
            // A worker's thread's wait for a core before its first batch is the machine's, not start-up's (before
            // review 55 a 0.69 s threads run at load 42 read "start-up 61%: use fewer threads").
            var waitedFirst = remote ? TimeSpan.Zero : Min(slot.StartRunQueue, slot.First);
            startUp -= waitedFirst;
            startRunQueue += waitedFirst;

            var gaps = Max(TimeSpan.Zero, slot.LastEnd - slot.First - slot.Busy);
            var span = slot.Busy + gaps;
            var waited = remote ? (remoteMeasured ? Min(slot.RemoteRunQueue, slot.Busy) : TimeSpan.Zero) : Min(slot.RunQueue, span);

            // What the items reported for work outside their thread (a command waiting for a core) fell inside batches, and
            // so did a worker process's wait, measured on its chunks.
            var reported = remote ? waited : Min(slot.ExternalRunQueue, waited);
            var inside = reported + (span > TimeSpan.Zero ? (waited - reported) * (slot.Busy / span) : TimeSpan.Zero);
            externalRunQueue += remote ? TimeSpan.Zero : reported;
            startUp += slot.First;
            between += gaps - (waited - inside);
            tail += lastEndAll - slot.LastEnd;
            windDown += Max(TimeSpan.Zero, wall - lastEndAll);
            busy += slot.Busy;
            runQueue += waited + waitedFirst;
            runQueueInside += inside;
            contended += slot.Contended;
        }

        // The run-queue wait is scaled up from the stretches measured; a thread waiting for a core is not on it, so
        // inside batches it is at most their time off the CPU. What the scaling put beyond that is the items' own.
        if ((!remote || remoteMeasured) && report.WorkerCpuTime is { } batchesCpu && runQueueInside > Max(TimeSpan.Zero, busy - batchesCpu))
        {
            var excess = runQueueInside - Max(TimeSpan.Zero, busy - batchesCpu);
            runQueueInside -= excess;
            runQueue -= excess;
        }

        // Lanes auto mode's plan had retired (a re-plan narrowed the run) or not yet opened (a re-plan widened it) sat idle by
        // the plan: a width change, not a straggler's imbalance nor a slow start (run62: lanes retired at 1 s of a 10 s run
        // read "lost to imbalance 81%").
        var (retired, opened, widthText) = WidthChange(report, slots, width, lastEndAll);
        retired = Min(retired, Max(TimeSpan.Zero, tail));
        opened = Min(opened, Max(TimeSpan.Zero, startUp));
        tail -= retired;
        startUp -= opened;

        // After the last batch ended, the workers waited for the input to end (a FIFO or pipe whose writer closed it late):
        // its wait, not the run's finishing (start-up) nor a straggler (imbalance), cost every worker that ran the time
        // from the last batch's end to the input's end (run64: a FIFO closed 2.7 s after its last item read "start-up 95%:
        // workers started late: check for a slow input"). A lane that finished earlier, while another still ran, stays
        // imbalance: the straggler held the run that long whenever the input ended.
        var inputEnd = TimeSpan.Zero;
        var afterLast = TimeSpan.Zero;
        if (counters.InputEndedAt is { } ended)
        {
            if (ended > lastEndAll && slots.Count > 0)
            {
                inputEnd = Min(windDown, (Min(ended, wall) - lastEndAll) * slots.Count);
                windDown -= inputEnd;
            }

            // The input's waits counted after each worker's last batch (its last take, which found the end): not between
            // batches, where the wait below is looked for.
            foreach (var slot in slots)
            {
                afterLast += Max(TimeSpan.Zero, Min(ended, wall) - slot.LastEnd);
            }
        }

        // The workers' waits for an asynchronous input's next items, as far as they fall between batches (a wait before a
        // worker's first batch is start-up's; the input is timed per take, the gaps per worker: both sum over workers).
        var input = Min(Max(TimeSpan.Zero, between), Max(TimeSpan.Zero, TimeSpan.FromTicks(counters.InputWaitTicks) - afterLast));

        // The rest of the input's measured waits fell before the workers' first batches: only a start-up they make up most of
        // was a slow input's (review 72: sixteen sleeps over an in-memory List on Sequential, a process's first run, read
        // "workers started late: check for a slow input" for 300 ms of JIT and first use; the List was ready).
        var inputFirst = Max(TimeSpan.Zero, TimeSpan.FromTicks(counters.InputWaitTicks) - afterLast - input);

        var ran = slots.Count;
        var unstarted = width - ran;
        var tooFewWorkers = report.Items < width ? (int)Math.Min(unstarted, width - report.Items) : 0;
        var tooFew = wall * tooFewWorkers;
        var lateStart = wall * (unstarted - tooFewWorkers);

        // Inside batches.
        var cpuPool = IsCpuPool(report);
        // A GC pause stops the threads running managed code, not those blocked in a wait or waiting for a core (that
        // time is counted as waiting for a core already), nor the child processes the items waited for (the CPU time they
        // reported, ExternalCpuTime, is in the workers' but not on their threads): weigh it by how many workers' threads
        // were on the CPU on average.
        var running = Max(TimeSpan.Zero, busy - runQueueInside);
        var external = TimeSpan.Zero;
        foreach (var w in report.Workers)
        {
            external += w.Timing?.ExternalCpu ?? TimeSpan.Zero;
        }

        TimeSpan? threadsCpu = report.WorkerCpuTime is { } all ? Max(TimeSpan.Zero, all - external) : null;
        var concurrency = Math.Min(width, (threadsCpu is { } onCpu ? Min(onCpu, running) : running) / wall);
        var gc = remote ? TimeSpan.Zero : Min(TimeSpan.FromTicks((long)(counters.GcPauseTicks * concurrency)), GcBound(report, threadsCpu, external, running, counters));
        var lockWait = TimeSpan.FromTicks(Math.Max(0, counters.LockWaitTicks));

        // Plain lock waits, timed from the runtime's contention events when the listener is on (PlainLockWaits).
        var runStart = report.StartedAt.UtcDateTime;
        var timed = remote ? null : PlainLockWaits.Waited(runStart, runStart + wall, counters.MonitorContentions);
        TimeSpan contention = TimeSpan.Zero, blocking = TimeSpan.Zero, transport = TimeSpan.Zero;
        var untimedContended = TimeSpan.Zero;
        var withinBatches = Max(TimeSpan.Zero, busy - runQueueInside - gc);
        // Whether the transport inside remote batches was told from the items' time: measured (the workers' own wall), or
        // judged from the items (short, or mostly on the CPU). Otherwise it is in the items' time and the text says so,
        // rather than print a measured 0 (cluster68).
        var transportKnown = remoteOwnWall;
        if (report.WorkerCpuTime is { } cpu)
        {
            var offCpu = Max(TimeSpan.Zero, busy - cpu - runQueueInside - gc);
            if (remoteOwnWall)
            {
                // The workers' own wall on their batches is known: the rest of the batches is serialization, transport
                // and this process's handling of the results (its threads' own waits for a core included); what the
                // worker's own wall holds beyond its CPU time and its wait for a core is the items' own (I/O, sleeps).
                var beyondOwn = TimeSpan.Zero;
                foreach (var w in report.Workers)
                {
                    beyondOwn += w.Batches > 0 && w.RemoteBusy is { } own ? Max(TimeSpan.Zero, w.BusyTime - own) : TimeSpan.Zero;
                }

                transport = Min(offCpu, beyondOwn);
            }
            else if (remote)
            {
                transportKnown = true;
                // A remote batch's time beyond its CPU time there is serialization and transport, unless the items
                // themselves wait (I/O): then the two cannot be told apart and the time counts as the items'. Items
                // that wait are long (a millisecond or more) and mostly off the CPU.
                var items = Math.Max(1, report.Succeeded + report.Failed);
                if (cpu >= busy * 0.5 || busy / items < TimeSpan.FromMilliseconds(1))
                {
                    transport = offCpu;
                }
                else
                {
                    transportKnown = false;
                }
            }
            else
            {
                if (timed is { } plain)
                {
                    // Timed: the waits themselves, as far as they fell inside batches: at most the off-CPU time of the
                    // batches during which the runtime counted contention (the events are process-wide, and Brigade's
                    // own locks, taken between batches, contend too), and at most the batches' time off the CPU less
                    // their wait for a core: a timed wait ends when its thread runs again, so it holds the woken
                    // thread's wait for a core, counted above already. Capped only by the batches' time, on a busy
                    // machine it took the lock holder's CPU as well, and the run's useful time read 0.
                    contention = Min(offCpu, lockWait + Min(plain, contended));
                }
                else
                {
                    // Plain lock waits are not timed: only the waits measured on Brigade primitives are named. The
                    // off-CPU time of the batches during which the runtime counted contention used to be taken as the
                    // plain locks' wait (review 47): the count is process-wide (Brigade's own locks, a bystander thread,
                    // one short contention in a 2.5 s sleep count alike) and says nothing of how long anyone waited, so
                    // "lock contention 32%" was read off a sleeping command. That time stays the items' time off the
                    // CPU (blocking, on the thread pool), and its description says that contention was counted, not timed.
                    contention = Min(offCpu, lockWait);
                    if (cpuPool && counters.MonitorContentions > 0)
                    {
                        untimedContended = Min(Max(TimeSpan.Zero, offCpu - contention), contended);
                    }
                }

                blocking = cpuPool ? Max(TimeSpan.Zero, offCpu - contention) : TimeSpan.Zero;
            }
        }
        else if (!remote)
        {
            contention = Min(lockWait + Min(timed ?? TimeSpan.Zero, contended), withinBatches);
        }
        else if (remoteOwnWall)
        {
            // No CPU time from the workers, but their own wall: the batches beyond it are transport all the same.
            var beyondOwn = TimeSpan.Zero;
            foreach (var w in report.Workers)
            {
                beyondOwn += w.Batches > 0 && w.RemoteBusy is { } own ? Max(TimeSpan.Zero, w.BusyTime - own) : TimeSpan.Zero;
            }

            transport = Min(withinBatches, beyondOwn);
        }

        // Contention on shared memory (compare-and-swap retries, cache lines moving between cores, a spinning lock) is
        // spent on the CPU, so nothing above sees it: where auto mode measured the items' CPU time per item beside another
        // worker against alone (its batches that ran alone: the sample's first worker), the CPU time beyond the alone
        // figure is that contention, not useful work. Only from a clear growth (SharedMemoryGrowthMin): hyperthreads of one
        // core slow each other a little, and that is the machine, not the items.
        var shared = TimeSpan.Zero;
        var sharedGrowth = 0.0;
        if (!remote && width > 1 && report.Plans is Auto.AutoRunPlans { Contention: { } measured } && measured.Growth >= SharedMemoryGrowthMin &&
            threadsCpu is { } itemsCpu)
        {
            shared = Min(itemsCpu * measured.ExtraCpuShare, Max(TimeSpan.Zero, withinBatches - contention - blocking));
            sharedGrowth = measured.Growth;
            contention += shared;
        }

        // What is left is the items' own time, never less than nothing: the losses inside batches are bounded above, but
        // each is rounded (scaled-up waits, GC pauses weighed by concurrency), and at a high machine load a short run's
        // time in batches can all go to them (review 29a, finding 7: a 0.16 s auto run at CI's load read a speedup of 0 or less). Whatever they take
        // beyond the batches' time comes off them, the machine's share (waiting for a core) last: it is what took the time.
        var useful = busy - runQueueInside - gc - contention - blocking - transport;
        if (useful < TimeSpan.Zero)
        {
            var excess = -useful;
            Trim(ref transport, ref excess);
            Trim(ref blocking, ref excess);
            Trim(ref contention, ref excess);
            Trim(ref gc, ref excess);
            var fromRunQueue = Min(excess, runQueueInside);
            runQueueInside -= fromRunQueue;
            runQueue -= fromRunQueue;
            useful = TimeSpan.Zero;
        }

        // Items that waited in the queue of something they share that serves them one (or k) at a time (review 70: 40 GETs to
        // a server answering one request at a time, async ×4, read "speedup 3.79, efficiency 95%" and sequential took as long):
        // their time beyond the fastest item's is the queue's, not the items' own work. On the thread pool that time was
        // counted as blocking; it is the queue's first.
        var queued = SharedQueue(report, remote, busy, runQueueInside, contention, untimedContended);
        var queueWait = TimeSpan.Zero;
        if (queued is { } q)
        {
            queueWait = Min(q.Waited, useful + blocking);
            var fromBlocking = Min(blocking, queueWait);
            blocking -= fromBlocking;
            useful -= queueWait - fromBlocking;
        }

        var gap = ideal - useful;

        // More workers than cores on items that compute whenever they hold a core (their CPU time at least half of their
        // time in batches less the wait for a core): the wait for a core is the run's own doing, and "the machine is
        // busy: run when it is quieter" sent a 16-thread run on 2 cores away with the wrong advice (review 40). Measured
        // where more lanes than cores ran at once: a run re-planned from the cores' width to 64 for a burst of sleeping
        // items was told "64 workers for 2 cores on CPU-bound items: use at most 2" from the CPU time of its narrow part (run63).
        var cores = Environment.ProcessorCount;
        var oversubscribed = !remote && width > cores && report.WorkerCpuTime is { } ownCpu && running > TimeSpan.Zero
            && (BeyondCores(report, slots, cores) is { } beyond ? beyond.Running > TimeSpan.Zero && beyond.Cpu >= beyond.Running * 0.5 : ownCpu >= running * 0.5);

        var straggler = LostSilos(report, slots, lastEndAll, tail, tooFewWorkers, tooFew) ?? Straggler(report, slots, lastEndAll, tail, tooFewWorkers, tooFew);
        if (queued is not null && report.LostSilos.Count == 0)
        {
            // The last items were as slow as the others because they waited in the same queue: splitting or sorting the
            // items, all alike, cannot shorten it (review 70: "item 28 took 5.03 s: split large items" at ×16).
            straggler = (straggler.Description + "; the last items waited in the shared resource's queue like the others", null, null);
        }

        var causes = new List<(LossCause Cause, TimeSpan Time, string Description, string? Advice)>
        {
            (LossCause.StartUp, startUp + windDown + lateStart, StartUpText(report, ran, startUp, windDown, unstarted - tooFewWorkers, wall), StartUpAdvice(report, remote, callerKeepsEngine, inputFirst * 2 >= startUp && inputFirst > TimeSpan.Zero)),
            (LossCause.Imbalance, tail + tooFew, straggler.Description, straggler.Advice),
            (LossCause.WidthChange, retired + opened, widthText,
                null),
            (LossCause.InputEnd, inputEnd, Text($"the last item ended {LossText.Duration(slots.Count > 0 ? inputEnd / slots.Count : TimeSpan.Zero)} before the input did: every worker waited for more items from an input still open (a FIFO or pipe whose writer had not closed it)"),
                "the run ends only when its input does: close the input (the writer of the FIFO or pipe) as soon as its last item is written"),
            (LossCause.Overhead, between + transport, OverheadText(report, between, transport, remote, transportKnown, input), OverheadAdvice(remote, input, between)),
            (LossCause.WaitingForCore, runQueue, Text($"{(externalRunQueue > TimeSpan.Zero ? "worker threads and the processes their items ran" : remoteMeasured ? (report.Engine == "cluster" ? "the silos' worker threads (as they measured it)" : "worker processes' threads (as they measured it)") : "worker threads")} waited {LossText.Duration(runQueue)} in the run queue for a core ({Pct(runQueue, busy + between + runQueue - runQueueInside)} of the time they ran batches{(startRunQueue > TimeSpan.Zero ? Text($", {LossText.Duration(startRunQueue)} of it before their first batch") : "")}): {(oversubscribed ? Text($"the run's {width} workers on CPU-bound items outnumber the {cores} cores") : "other threads or processes were using the cores")}"),
                oversubscribed
                    ? Text($"{width} workers for {cores} cores on CPU-bound items: the workers beyond the cores only wait for one: use at most {cores} (MaxDegreeOfParallelism, or Engine.ThreadPool; brigade run --jobs {cores})")
                    : "the machine is busy: more workers will not help; run when it is quieter or on more cores"),
            (LossCause.GcPauses, gc, Text($"{LossText.Duration(TimeSpan.FromTicks(counters.GcPauseTicks))} of GC pauses stopped {concurrency:0.#} running workers on average"),
                "allocate less per item (reuse buffers, pool objects), or try server GC"),
            (LossCause.LockContention, contention, ContentionText(contention - Min(shared, contention), lockWait, counters.MonitorContentions, timed, Min(shared, contention), sharedGrowth),
                "hold locks for less time, or give each worker its own state and combine at the end (Runner.MapReduceAsync)"),
            (LossCause.Blocking, blocking, BlockingText(blocking, busy, Min(untimedContended, blocking), counters.MonitorContentions),
                BlockingAdvice(blocking, untimedContended, counters.MonitorContentions)),
            (LossCause.SharedResource, queueWait, queued?.Description ?? "", queued?.Advice),
        };

        var named = TimeSpan.Zero;
        foreach (var c in causes)
        {
            named += c.Time;
        }

        causes.Add((LossCause.Unexplained, gap - named, "the part of the gap the measurements above do not account for", null));

        var list = causes
            .Where(static c => c.Time != TimeSpan.Zero)
            .OrderByDescending(static c => c.Cause == LossCause.Unexplained ? c.Time.Duration() : c.Time)
            .Select(c => new RunLoss(c.Cause, c.Time, gap > TimeSpan.Zero ? c.Time / gap : 0, c.Description, c.Advice))
            .ToArray();

        // A run in which no item ran (no input, or cancelled or stopped before the first batch) has nothing to speed up:
        // its "why" was advice for the work it never did ("give the run more, smaller items" for an empty input, "check
        // for a slow input" for a run cancelled at once: review 40).
        var advice = new List<string>();
        var anyRan = report.Workers.Any(static w => w.Batches > 0);
        if (anyRan && gap >= ideal * AdviceWhenLost)
        {
            foreach (var c in list.Where(static c => c.Advice is not null && c.Time > TimeSpan.Zero && c.Share >= AdviceShare).Take(2))
            {
                advice.Add(c.Cause == LossCause.Imbalance && straggler.Lead is { } lead ? lead : $"{LossText.Name(c.Cause)} cost {c.Share * 100:0}% of the gap: {c.Advice}");
            }
        }

        return new RunLosses
        {
            Width = width, Ideal = ideal, Useful = useful, Causes = list, Advice = advice, RunQueueMeasured = RunQueueMeasured(report),
            ForecastWhenRead = () => ForecastOf(report),
        };
    }

    /// <summary>Gets the most workers that ran at once: the slots their batches' spans need (see <see cref="Slots"/>), plus
    /// every worker that ran batches whose times are not known (counted as running throughout). <see cref="RunReport.WorkerCount"/>.</summary>
    public static int ConcurrentWorkers(IReadOnlyList<WorkerReport> workers) =>
        Slots(workers).Count + workers.Count(static w => w.Batches > 0 && w.Timing is null);

    private static void Trim(ref TimeSpan loss, ref TimeSpan excess)
    {
        var cut = Min(loss, excess);
        loss -= cut;
        excess -= cut;
    }

    // The most the process's GC pauses can have cost the workers inside their batches. A worker stopped by a pause is
    // off the CPU; only the thread that runs the collection stays on it, for at most the pauses' length. The counter is
    // process-wide, so that thread need not be a worker: it is the thread that allocated when the heap filled, taken
    // to be a worker in proportion to the workers' share of the process's CPU time during the run. With the workers'
    // CPU time measured, the pauses' share of the batches is their off-CPU time plus that thread's; without it, at
    // most the time the workers ran.
    // (The items' CPU time outside the process, ExternalCpuTime, is in neither figure here: the workers' threads' and the
    // process's own.)
    private static TimeSpan GcBound(RunReport report, TimeSpan? threadsCpu, TimeSpan external, TimeSpan running, LossProbe counters)
    {
        if (threadsCpu is not { } cpu)
        {
            return running;
        }

        var processCpu = report.ProcessCpuTime - external;
        var workersShare = processCpu > TimeSpan.Zero ? Math.Min(1.0, cpu / processCpu) : 1.0;
        var collecting = Min(cpu, TimeSpan.FromTicks(counters.GcPauseTicks)) * workersShare;
        return Min(running, Max(TimeSpan.Zero, running - cpu) + collecting);
    }

    // Auto mode's first plan holds what its sample measured: the forecast it allows for the plan's engine and width.
    private static SpeedupForecast? ForecastOf(RunReport report) =>
        report.Plans.Count > 0 ? SpeedupForecast.ForReport(report) : null;

    // Workers as slots of the width: a worker that starts after another ended takes over its slot (auto mode's re-plans
    // retire workers and start new ones; a worker process that died is replaced), so the ideal counts the workers that
    // ran at the same time, not every worker the run ever had.
    private static List<Slot> Slots(IReadOnlyList<WorkerReport> workers)
    {
        var slots = new List<Slot>();
        foreach (var w in workers.Where(static w => w.Batches > 0 && w.Timing is not null).OrderBy(static w => w.Timing!.Value.FirstStart))
        {
            var t = w.Timing!.Value;
            Slot? free = null;
            foreach (var s in slots)
            {
                if (s.LastEnd <= t.FirstStart && (free is null || s.LastEnd > free.LastEnd))
                {
                    free = s;
                }
            }

            if (free is null)
            {
                free = new Slot { First = t.FirstStart, StartRunQueue = t.StartRunQueue };
                slots.Add(free);
            }

            free.LastEnd = t.LastEnd;
            free.Busy += w.BusyTime;
            free.RunQueue += t.RunQueueWait ?? TimeSpan.Zero;
            free.RemoteRunQueue += w.RemoteRunQueueWait ?? TimeSpan.Zero;
            free.ExternalRunQueue += t.ExternalRunQueue;
            free.Contended += t.ContendedOffCpu;
            free.Last = t;
            free.Location = w.Location;
        }

        return slots;
    }

    // The worker time lanes of the width sat idle because auto mode's plan then allowed fewer (see Compute): after their
    // last batch (retired) and before their first (not yet opened), from the first plan on (before it, the sample's
    // start-up), at most the lanes beyond the plan's width at each moment; and the changes in words.
    private static (TimeSpan Retired, TimeSpan Opened, string Text) WidthChange(RunReport report, List<Slot> slots, int width, TimeSpan lastEndAll)
    {
        var plans = report.Plans.Where(static p => p.DecidedAt is not null).OrderBy(static p => p.DecidedAt!.Value).ToArray();
        var changes = new List<string>();
        for (var k = 1; k < plans.Length; k++)
        {
            if (plans[k].DegreeOfParallelism != plans[k - 1].DegreeOfParallelism)
            {
                changes.Add(Text($"from {plans[k - 1].DegreeOfParallelism} to {plans[k].DegreeOfParallelism} at {LossText.Duration(plans[k].DecidedAt!.Value)}"));
            }
        }

        if (changes.Count == 0 || slots.Count < 2)
        {
            return (TimeSpan.Zero, TimeSpan.Zero, "");
        }

        // Piecewise constant between these moments: the plans' decisions and the lanes' first starts and last ends.
        var moments = plans.Select(static p => p.DecidedAt!.Value)
            .Concat(slots.Select(static s => s.First)).Concat(slots.Select(static s => s.LastEnd)).Append(lastEndAll)
            .Where(t => t >= plans[0].DecidedAt!.Value && t <= lastEndAll).Distinct().Order().ToArray();
        TimeSpan retired = TimeSpan.Zero, opened = TimeSpan.Zero;
        for (var i = 0; i + 1 < moments.Length; i++)
        {
            var (from, to) = (moments[i], moments[i + 1]);
            var mid = from + ((to - from) / 2);
            var planned = plans.Last(p => p.DecidedAt!.Value <= mid).DegreeOfParallelism;
            var beyond = Math.Max(0, width - planned);
            if (beyond == 0)
            {
                continue;
            }

            var done = Math.Min(beyond, slots.Count(s => s.LastEnd <= mid));
            var notYet = Math.Min(beyond - done, slots.Count(s => s.First > mid));
            retired += (to - from) * done;
            opened += (to - from) * notYet;
        }

        var text = Text($"auto mode's plan changed the width {string.Join(", then ", changes)}: lanes it had retired or not yet opened sat idle {LossText.Duration(retired + opened)} in all ({LossText.Duration(retired)} after their last batch, {LossText.Duration(opened)} before their first); by the plan, not a straggler's or a slow start's");
        return (retired, opened, text);
    }

    // The workers' CPU time and running time (time in batches less their wait for a core) while more lanes than cores ran
    // at once, each worker's taken in proportion to the part of its span that fell there; null when a worker's CPU time is
    // not known (then the whole run's figures decide).
    private static (TimeSpan Cpu, TimeSpan Running)? BeyondCores(RunReport report, List<Slot> slots, int cores)
    {
        var ran = report.Workers.Where(static w => w.Batches > 0 && w.Timing is not null).ToList();
        if (ran.Any(static w => w.CpuTime is null))
        {
            return null;
        }

        // The stretches during which more than `cores` lanes were between their first start and their last end: a sweep over
        // the lanes' starts (+1) and ends (-1), a stretch of consecutive wide moments merged into one.
        var changes = slots.Select(static s => (At: s.First, Step: 1)).Concat(slots.Select(static s => (At: s.LastEnd, Step: -1)))
            .GroupBy(static c => c.At).Select(static g => (At: g.Key, Step: g.Sum(static c => c.Step))).OrderBy(static c => c.At).ToArray();
        var wide = new List<(TimeSpan From, TimeSpan To)>();
        var active = 0;
        for (var i = 0; i + 1 < changes.Length; i++)
        {
            active += changes[i].Step;
            if (active <= cores)
            {
                continue;
            }

            var (from, to) = (changes[i].At, changes[i + 1].At);
            if (wide.Count > 0 && wide[^1].To == from)
            {
                wide[^1] = (wide[^1].From, to);
            }
            else
            {
                wide.Add((from, to));
            }
        }

        TimeSpan cpu = TimeSpan.Zero, running = TimeSpan.Zero;
        foreach (var w in ran)
        {
            var t = w.Timing!.Value;
            var span = t.LastEnd - t.FirstStart;
            if (span <= TimeSpan.Zero)
            {
                continue;
            }

            var overlap = TimeSpan.Zero;
            foreach (var (from, to) in wide)
            {
                overlap += Max(TimeSpan.Zero, Min(to, t.LastEnd) - Max(from, t.FirstStart));
            }

            var share = overlap / span;
            var waited = Min(t.RunQueueWait ?? TimeSpan.Zero, span) * (w.BusyTime / span);
            cpu += w.CpuTime!.Value * share;
            running += Max(TimeSpan.Zero, w.BusyTime - waited) * share;
        }

        return (cpu, running);
    }

    private static bool IsCpuPool(RunReport report)
    {
        var engine = report.Engine;
        if (report.Plans.Count > 0)
        {
            engine = report.Plans[^1].Engine;
        }

        // The thread pool's width is the cores: an item off the CPU leaves a core idle. Sequential runs are the
        // baseline (a sleeping item there is the work itself), threads and async are sized for waiting.
        return engine is "threadpool";
    }

    private static (string Description, string? Advice, string? Lead) Straggler(
        RunReport report, List<Slot> slots, TimeSpan lastEndAll, TimeSpan tail, int tooFewWorkers, TimeSpan tooFew)
    {
        // Workers that never ran lose the whole run each: when that is most of the imbalance, it leads (two 8 s commands
        // on 64 workers ending 2 ms apart led with "item 0 took 1.9 ms of the last 1.9 ms", 62 workers idle unnamed);
        // unless the workers that ran sat idle a quarter of the last batch or more, waiting for it: then fewer workers
        // would not shorten the run, and the slow item leads (ten items on 64 workers, one of 10 s, read "54 never ran").
        var waitedForIt = tooFewWorkers > 0 && WaitedForTheLast(slots, tail);
        if (tooFewWorkers > 0 && tail <= tooFew && !waitedForIt)
        {
            return (Text($"{report.Items:N0} items for {report.Items + tooFewWorkers:N0}+ workers: {tooFewWorkers} never ran"),
                "give the run more, smaller items, or use fewer workers", null);
        }

        if (slots.Count < 2)
        {
            // Workers that ran one after another share a slot (see Slots): two of them were "one worker" (run54).
            var ran = report.Workers.Count(static w => w.Batches > 0);
            return (tooFewWorkers > 0 ? Text($"{LossText.Workers(tooFewWorkers)} never ran: too few items")
                : ran > 1 ? Text($"{ran} workers ran one after another, never two at once: no imbalance between them")
                : "one worker: no imbalance", null, null);
        }

        var lastSlot = slots.MaxBy(static s => s.LastEnd)!;
        var last = lastSlot.Last;
        var others = slots.Where(s => !ReferenceEquals(s, lastSlot)).ToArray();
        var firstIdle = others.Min(static s => s.LastEnd);
        var window = Max(TimeSpan.Zero, lastEndAll - firstIdle);
        var duration = last.LastEnd - last.LastStart;
        var inWindow = Min(duration, window);
        var items = LossText.Items(last.LastFirstIndex, last.LastCount);
        var idle = tail / others.Length;
        // "the other 1 workers ... on average" (review 40): one other worker is named as one.
        var description = others.Length == 1
            ? Text($"the last batch ({items}) ran {LossText.Duration(duration)}; the other worker sat idle {LossText.Duration(idle)} at the end")
            : Text($"the last batch ({items}) ran {LossText.Duration(duration)}; the other {others.Length} workers sat idle {LossText.Duration(idle)} on average at the end");
        if (tooFewWorkers > 0)
        {
            description += Text($"; {LossText.Workers(tooFewWorkers)} never ran (too few items)");
        }

        var fewItems = report.Items < 2L * slots.Count;
        if (fewItems && tooFewWorkers == 0)
        {
            description += Text($"; {report.Items:N0} items for {slots.Count} workers: too few to balance");
        }

        // Workers left idle waiting for the last batch while others never ran: fewer workers would not shorten the run,
        // splitting the slow item would (review 34: the lead said "or use fewer workers" after all).
        var advice = fewItems && !waitedForIt ? "give the run more, smaller items, or use fewer workers"
            : last.LastCount == 1 ? "split large items or sort them largest first"
            : "use smaller batches (BatchSize) or split large items";
        var lead = Text($"{items} took {LossText.Duration(inWindow)} of the last {LossText.Duration(window)}: {advice}");
        return (description, advice, lead);
    }

    // A cluster run that lost a silo and finished on the others (ClusterRun records them on the job, and the report carries
    // them: RunReport.LostSilos): the lost silo's slots ran nothing from their last batch's end on, and the batches they had
    // in flight ran again on the others. That is the time its slots sat out, not a straggler's (review 48: "the last batch
    // ran ...; the other workers sat idle" blamed the items). Null when no slot's worker ran on a silo recorded as lost.
    // Read from the record, not the plan's text (review 49: parsed from the plan, a change of its wording would have lost them).
    private static (string Description, string? Advice, string? Lead)? LostSilos(
        RunReport report, List<Slot> slots, TimeSpan lastEndAll, TimeSpan tail, int tooFewWorkers, TimeSpan tooFew)
    {
        if (report.LostSilos.Count == 0)
        {
            return null;
        }

        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var silo in report.LostSilos)
        {
            reasons.TryAdd(silo.Name, silo.Reason);
        }

        var lostSlots = slots.Where(s => s.Location is { } l && reasons.ContainsKey(l)).ToList();
        if (lostSlots.Count == 0)
        {
            return null;
        }

        var lost = lostSlots.Select(static s => s.Location!).Distinct().ToList();
        var sat = TimeSpan.Zero;
        foreach (var s in lostSlots)
        {
            sat += lastEndAll - s.LastEnd;
        }

        // The batches it had in flight went back to the queue and ran on the others after batches taken later had ended:
        // on the timeline, a batch of the others that starts after one with higher indices ended. (Fresh batches leave the
        // input in order, and each is sent as it is taken.)
        var lostIds = report.Workers.Where(w => w.Location is { } l && lost.Contains(l)).Select(static w => w.Id).ToHashSet();
        var since = lostSlots.Min(static s => s.LastEnd);
        long rerunItems = 0, rerunBatches = 0;
        var rerunTime = TimeSpan.Zero;
        var ended = report.Timeline.OrderBy(static e => e.End).ToArray();
        var ends = new TimeSpan[ended.Length];
        var highest = new long[ended.Length];
        for (var i = 0; i < ended.Length; i++)
        {
            ends[i] = ended[i].End;
            highest[i] = Math.Max(i > 0 ? highest[i - 1] : long.MinValue, ended[i].FirstIndex);
        }

        foreach (var e in report.Timeline)
        {
            if (lostIds.Contains(e.WorkerId) || e.Start < since)
            {
                continue;
            }

            // The batches that had ended when this one started: the first `before` of them by end time.
            var before = Array.BinarySearch(ends, e.Start);
            before = before >= 0 ? UpperBound(ends, before) : ~before;
            if (before > 0 && highest[before - 1] >= e.FirstIndex + e.Count)
            {
                rerunItems += e.Count;
                rerunBatches++;
                rerunTime += e.Duration;
            }
        }

        var who = lost.Count == 1
            ? Text($"silo {lost[0]}{Reason(reasons[lost[0]])} was lost during the run")
            : Text($"silos {string.Join(", ", lost.Select(l => l + Reason(reasons[l])))} were lost during the run");
        var description = Text($"{who}: {(lostSlots.Count == 1 ? "its worker slot" : Text($"their {lostSlots.Count} worker slots"))} ran no batch after {LossText.Duration(since)} and sat out {LossText.Duration(sat)} to the run's end");
        description += rerunItems > 0
            ? Text($"; {rerunItems:N0} {(rerunItems == 1 ? "item" : "items")} ({rerunBatches:N0} {(rerunBatches == 1 ? "batch" : "batches")}) in flight there ran again on the others, {LossText.Duration(rerunTime)} of their time")
            : "; the batches in flight there ran again on the others";

        // The survivors' own end, as for any run.
        var others = slots.Where(s => !lostSlots.Contains(s)).ToList();
        if (others.Count >= 2 && tail - sat > TimeSpan.Zero)
        {
            description += "; " + Straggler(report, others, lastEndAll, tail - sat, tooFewWorkers, tooFew).Description;
        }

        // Where to look depends on how it was lost: a silo that stopped answering while still a member (frozen, starved of
        // CPU) wrote nothing of it in its log, which is where "the silo's log says why it left" sent the reader (cluster59).
        var causes = report.LostSilos.Where(s => lost.Contains(s.Name)).Select(static s => s.Cause).Distinct().ToList();
        var why = string.Join("; ", causes.Select(static c => c switch
        {
            LostSiloCause.Unresponsive => "a silo stopped answering mid-run while still a member of the cluster: its slots ran nothing more and the batches it had in flight ran again elsewhere; its log may say nothing of it: look at its machine (a stopped or frozen process, no CPU to spare, swapping, a long GC pause, the network)",
            LostSiloCause.WorkTypeGone => "a silo stopped accepting the work type mid-run (restarted with other work): its slots ran nothing more and the batches it had in flight ran again elsewhere; its log says what it loaded",
            _ => "a silo left mid-run: its slots ran nothing more and the batches it had in flight ran again elsewhere; if it shut itself down, its log says why; if the other silos declared it dead (killed, crashed, cut off), its log says nothing: look at how its process ended (a kill, the OOM killer in the kernel's log, its service manager) and at its machine",
        }));
        var advice = $"{why}, and smaller batches (BatchSize) lose less when one does";
        return (description, advice, Text($"{(lost.Count == 1 ? "silo " + lost[0] : "silos " + string.Join(", ", lost))} lost during the run: {advice}"));
    }

    // The index past the last element equal to ends[found].
    private static int UpperBound(TimeSpan[] ends, int found)
    {
        var i = found;
        while (i < ends.Length && ends[i] == ends[found])
        {
            i++;
        }

        return i;
    }

    // " (REASON)" after a lost silo's name, or nothing when the run recorded none.
    private static string Reason(string reason) => reason.Length > 0 ? Text($" ({reason})") : "";

    // Whether the workers that ran, other than the last one, sat idle on average a quarter of its last batch or more.
    private static bool WaitedForTheLast(List<Slot> slots, TimeSpan tail)
    {
        if (slots.Count < 2)
        {
            return false;
        }

        var last = slots.MaxBy(static s => s.LastEnd)!.Last;
        return tail / (slots.Count - 1) >= (last.LastEnd - last.LastStart) / 4;
    }

    private static string StartUpText(RunReport report, int ran, TimeSpan startUp, TimeSpan windDown, int late, TimeSpan wall)
    {
        var perWorker = ran > 0 ? startUp / ran : TimeSpan.Zero;
        var s = Text($"{LossText.Duration(perWorker)} on average before each worker's first batch{(report.Plans.Count > 0 ? " (auto mode's sample included)" : "")}, {LossText.Duration(ran > 0 ? windDown / ran : TimeSpan.Zero)} after the last batch");
        // Workers that ran one after another fill one slot of the width: the others were not unused workers but a width
        // never reached (before run54: "1 worker of the width never ran batches" of two workers that both ran, in turn).
        var workers = report.Workers.Count(static w => w.Batches > 0 && w.Timing is not null);
        if (late > 0 && workers > ran)
        {
            s += Text($"; {workers} workers ran, at most {ran} at once: {LossText.Workers(late)} of the width never ran beside them ({LossText.Duration(wall * late)})");
        }
        else if (late > 0)
        {
            s += Text($"; {LossText.Workers(late)} of the width never ran batches ({LossText.Duration(wall * late)})");
        }

        return s;
    }

    // inputLate: the input's measured waits (an asynchronous input's takes are timed) make up most of the time before the
    // workers' first batches. Without them the input was ready, or not timed (a lazy IEnumerable makes its items on the
    // worker's thread): the start is the run's own, on a process's first run mostly warm-up, and "check for a slow input"
    // sent the reader to an in-memory List (review 72).
    private static string StartUpAdvice(RunReport report, bool remote, bool callerKeepsEngine, bool inputLate) =>
        remote && callerKeepsEngine ? "worker processes or silos started during the run: reuse the engine across runs, so that its workers are warm"
        : remote ? "each brigade invocation starts its workers anew (worker processes, or its work on the cluster's silos), a large share of a run this short: give one invocation more items rather than several invocations a few each"
        : report.WallTime < TimeSpan.FromMilliseconds(50) ? "the run is short: its fixed start-up cost matters; combine short runs or run them sequentially"
        : report.Plans is [{ FromCache: true }, _, ..] ? "auto mode's re-plans started workers late: the work no longer fits the plan cached for it; if it is steady, give the engine and width outright (RunOptions.Engine and MaxDegreeOfParallelism; brigade run --engine, --jobs)"
        : report.Plans is [{ FromCache: false }, ..] ? "auto mode's sample and re-plans started workers late: later runs of the same work skip the sample (the plan cache, on unless AutoEngineOptions.UsePlanCache is off)"
        : report.Engine == "threads" ? "dedicated threads start one at a time: use fewer threads, or asynchronous work on Engine.Async for items that wait"
        : inputLate ? "workers started late: check for a slow input"
        : "workers started late, not waiting for the input (no wait for it was measured): on a process's first run this is mostly warm-up (JIT compilation, first use of types and the engine), which later runs in the process do not pay; a lazy input that makes its first items on the worker's thread counts here too";

    private static string OverheadText(RunReport report, TimeSpan between, TimeSpan transport, bool remote, bool transportKnown, TimeSpan input)
    {
        var items = Math.Max(1, report.Items - report.NotRun);
        var s = Text($"{LossText.Duration(between)} between batches ({LossText.Duration((between + transport).TotalSeconds / items)} per item over {items:N0} items in {report.Batches:N0} batches)");
        if (input > TimeSpan.Zero)
        {
            s += Text($", {LossText.Duration(input)} of it waiting for the input's next items");
        }

        if (remote && transportKnown)
        {
            s += Text($", {LossText.Duration(transport)} of serialization and transport inside batches");
        }
        else if (remote)
        {
            // Not a measured 0 (cluster68): the workers did not report their own time, and their items wait, so the batches'
            // time off the CPU holds transport and the items' waits alike, counted as the items'.
            s += Text($"; serialization and transport inside batches not measured (the workers reported no time of their own, and the items wait: that time counts as the items')");
        }

        return s;
    }

    // Workers that waited for the input most of the time between batches were held by the input, not by dispatch: a larger
    // batch would only wait for more items (review 45: an IAsyncEnumerable yielding every 5 ms, items of 1 ms, read "items
    // are small for their dispatch cost").
    private static string OverheadAdvice(bool remote, TimeSpan input, TimeSpan between) =>
        input * 2 >= between && input > TimeSpan.Zero ? "the input is slower than the work: workers waited for its next items, and more workers or larger batches will not help; make the input faster or read it ahead"
        : remote ? "send larger batches (BatchSize), or run small items on threads where they need no transport"
        : "items are small for their dispatch cost: raise BatchSize or give each item more work";

    // The items' time off the CPU on the thread pool. Where the runtime counted plain-lock contention during some of it but
    // the waits were not timed, the description says so, and names no share of it as lock waits: the count is process-wide
    // and has no duration (review 47).
    private static string BlockingText(TimeSpan blocking, TimeSpan busy, TimeSpan untimedContended, long monitorContentions)
    {
        var s = Text($"items were off the CPU for {LossText.Duration(blocking)} ({Pct(blocking, busy)} of busy time) on the thread pool, whose width is the cores: blocking I/O, sleeps or waits");
        if (untimedContended > TimeSpan.Zero)
        {
            s += Text($"; {LossText.Duration(untimedContended)} of it in batches during which the runtime counted {monitorContentions:N0} plain-lock contentions in the process (Brigade's own locks included), not timed: how much of it was lock waits is unknown (RunLosses.StartTimingPlainLocks() before the run times them)");
        }

        return s;
    }

    // Where the runtime counted plain-lock contention during most of the blocked batches (not timed: the process's first run
    // that read losses), a lock is the likely wait, and more threads cannot help it (review 70: 40 items in one lock on the
    // thread pool were sent to Engine.Threads on the first run, to "hold locks for less time" on the second, timed).
    private static string BlockingAdvice(TimeSpan blocking, TimeSpan untimedContended, long monitorContentions) =>
        untimedContended > TimeSpan.Zero && Min(untimedContended, blocking) * 2 >= blocking
            ? Text($"the runtime counted {monitorContentions:N0} contentions on plain locks during these batches: a lock is the likely wait, and more threads will not help it; hold locks for less time, or give each worker its own state (RunLosses.StartTimingPlainLocks() before the run times the waits)")
            : "run items that block on Engine.Threads, or make them async and use Engine.Async (auto mode picks this)";

    // The fewest batches on the timeline from which a queue at a shared resource is looked for, and how much of the time an
    // item spends on the CPU at most (more: it waits for a core, a cause of its own, or computes inside a lock).
    private const int QueueMinBatches = 8;
    private const double QueueCpuShareMax = 0.5;

    // How much the items' time per item in flight may grow over the run, as a share of its median, for a queue to be read:
    // a queue's turn stays level; independent items of growing length grow it (see TurnGrowth).
    private const double QueueTurnGrowthMax = 0.25;

    // Items queued at something they share that serves them k at a time (a server, a disk, a database row, a lock): each
    // item's latency grows with how many are in flight, and the run finishes k items per service time, wherever the
    // workers started. Read from the timeline (its recorded batches, when capped; nothing when it is off), where all hold:
    // (1) the workers' first batches started together (within half a typical batch), yet (2) after them, the batches'
    // ends k apart are evenly spaced (90% of the gaps at least 0.6 of their mean): served k at a time, one (or k) ends
    // every service time, where independent items started together end together, and items of many sizes end at random;
    // (3) on average at least 2k batches in flight, so an item took twice its service time or more; (4) the batches' time
    // is mostly off the CPU beyond their wait for a core, each item's CPU time under half its service time (CPU-bound items
    // on a busy machine slow the same way: that is waiting for a core), and no lock wait measured or counted (a lock in the
    // process is lock contention). The service time is read from the ends' spacing (k × the span per item), not from the
    // fastest item: at a steady queue none is served alone (fresh70: the fastest of 40 took 602 ms, the service 200 ms).
    private static (TimeSpan Waited, string Description, string Advice)? SharedQueue(
        RunReport report, bool remote, TimeSpan busy, TimeSpan runQueueInside, TimeSpan contention, TimeSpan untimedContended)
    {
        if (remote || untimedContended > TimeSpan.Zero || busy <= TimeSpan.Zero)
        {
            return null;
        }

        // Failed batches left out: an item that timed out waiting (fresh70 at ×16: one request hung 100 s) was not served.
        var recorded = report.Timeline.Where(static e => e.Count > 0 && e.Duration > TimeSpan.Zero).ToArray();
        var events = recorded.Where(static e => e.Failed == 0).OrderBy(static e => e.Start).ToArray();
        var lanes = events.Select(static e => e.WorkerId).Distinct().Count();
        if (lanes < 2 || events.Length < lanes + QueueMinBatches)
        {
            return null;
        }

        var span = (events.Max(static e => e.End) - events[0].Start).TotalSeconds;
        long items = events.Sum(static e => (long)e.Count);
        var inBatches = events.Sum(static e => e.Duration.TotalSeconds);
        var typical = Median(events.Select(static e => e.Duration.TotalSeconds));
        if (span <= 0 || (events[lanes - 1].Start - events[0].Start).TotalSeconds > typical / 2)
        {
            return null;
        }

        var inFlight = inBatches / span;
        var ends = events.Skip(lanes).Select(static e => e.End.TotalSeconds).Order().ToArray();
        var k = 0;
        for (var step = 1; step * 2 <= inFlight && k == 0; step++)
        {
            var gaps = Enumerable.Range(0, Math.Max(0, ends.Length - step)).Select(i => ends[i + step] - ends[i]).ToArray();
            if (gaps.Length >= QueueMinBatches / 2)
            {
                var mean = gaps.Average();
                k = mean > 0 && gaps.Count(g => g >= 0.6 * mean) >= 0.9 * gaps.Length ? step : 0;
            }
        }

        // Evenly spaced ends are not enough (review 72: 16 independent sleeps of 0.2, 0.4 ... 3.2 s on 8 threads, started
        // together, end 0.2 s apart as a one-at-a-time queue's would; "fewer workers would do as well" would have made the
        // run 5× slower). In a queue an item's time is its turn: the items in flight when it started, each served in turn,
        // so its time per item in flight is the same for every item, whatever its place in the run; independent items take
        // their own time, and items of growing length take ever more of it per item in flight.
        if (k == 0 || TurnGrowth(events, lanes) > QueueTurnGrowthMax)
        {
            return null;
        }

        // The CPU: the timeline's where every batch has it, else the workers' (the process's, an upper bound, without it).
        var service = k * span / items;
        var cpu = events.All(static e => e.CpuTime is not null)
            ? events.Sum(static e => e.CpuTime!.Value.TotalSeconds)
            : (report.WorkerCpuTime ?? report.ProcessCpuTime).TotalSeconds * inBatches / Math.Max(busy.TotalSeconds, inBatches);
        var offCpu = inBatches - cpu - (runQueueInside.TotalSeconds * inBatches / busy.TotalSeconds);
        if (cpu / items > QueueCpuShareMax * service || offCpu < 0.5 * inBatches)
        {
            return null;
        }

        var waited = busy * (inBatches / recorded.Sum(static e => e.Duration.TotalSeconds)) * Math.Max(0.0, 1.0 - (k / inFlight));
        if (waited <= TimeSpan.Zero || contention * 4 >= waited)
        {
            return null;
        }

        var served = k == 1 ? "about one at a time" : Text($"about {k} at a time");
        var description = Text($"items slowed as more ran at once: {inFlight:0.#} in flight took {inFlight / k:0.0}× as long each ({LossText.Duration(inBatches / items)}) as their service ({LossText.Duration(service)}, from the steady spacing of their ends); the run finished {k} per service, as {LossText.Workers(k)} would: something they share outside the process's CPU (a server, a disk, a database row, a lock) serves them {served}");
        var advice = Text($"fewer workers would do as well ({(k == 1 ? "1 or 2" : Text($"about {k}"))}: MaxDegreeOfParallelism; brigade run --jobs): the limit is what the items share; look at the server, disk or lock that serves them {served}, or make it serve more at once");
        return (waited, description, advice);
    }

    // How much the items' time per item in flight at their start grew over the run, as a share of its median: the Theil–Sen
    // slope (the median of the slopes between every two items, so that an item that jumped the queue, as flock lets one do,
    // does not sway it) across the items after the workers' first, whose starts together made their turns differ. A queue
    // holds it about level (fresh70's server: +3%, fresh72's flock: −10%); items of growing length raise it (fresh72's
    // sleeps: +54%).
    private static double TurnGrowth(TimelineEvent[] events, int lanes)
    {
        // In flight at a start: the batches started by then (the events are in start order) less those ended by then. At
        // most TurnSamples items, evenly picked, so that a long timeline costs no more than a short one's pairs.
        var starts = events.Select(static e => e.Start).ToArray();
        var ends = events.Select(static e => e.End).Order().ToArray();
        var count = events.Length - lanes;
        if (count < 3)
        {
            return 0;
        }

        var picked = Math.Min(count, TurnSamples);
        var turns = new List<double>(picked);
        for (var p = 0; p < picked; p++)
        {
            var i = lanes + (int)((long)p * count / picked);
            var start = events[i].Start;
            var inFlight = UpperBound(starts, start) - UpperBound(ends, start);
            turns.Add(events[i].Duration.TotalSeconds / Math.Max(1, inFlight));
        }

        var slopes = new List<double>(turns.Count * (turns.Count - 1) / 2);
        for (var i = 0; i < turns.Count; i++)
        {
            for (var j = i + 1; j < turns.Count; j++)
            {
                slopes.Add((turns[j] - turns[i]) / (j - i));
            }
        }

        var typical = Median(turns);
        return typical > 0 ? Median(slopes) * (turns.Count - 1) / typical : 0;
    }

    // The items TurnGrowth reads at most: their pairs' slopes number about 20,000.
    private const int TurnSamples = 200;

    // How many of the sorted times are at or before `at`.
    private static int UpperBound(TimeSpan[] sorted, TimeSpan at)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= at)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string ContentionText(TimeSpan contention, TimeSpan lockWait, long monitorContentions, TimeSpan? timed, TimeSpan shared, double growth)
    {
        var sharedText = Text($"items took {growth:0.0}× the CPU time per item beside another worker than alone (auto mode's batches alone): {LossText.Duration(shared)} of CPU went to contention on shared memory (compare-and-swap retries, cache lines moving between cores, spinning locks)");
        if (shared > TimeSpan.Zero && contention <= TimeSpan.Zero && monitorContentions == 0)
        {
            return sharedText;
        }

        var s = Text($"workers waited {LossText.Duration(contention)} for locks");
        if (lockWait > TimeSpan.Zero)
        {
            s += Text($" ({LossText.Duration(lockWait)} measured on Brigade primitives)");
        }

        if (timed is { } plain && plain > TimeSpan.Zero)
        {
            // The events are the process's: which threads waited is not known to the report (review 48), so the figure is
            // not presented as the workers' own; what counts above is at most the off-CPU time of the batches it overlapped.
            s += Text($"; plain lock waits {LossText.Duration(plain)} over {monitorContentions:N0} contentions in the whole process (any thread's, Brigade's own locks included), timed from the runtime's contention events: counted here only up to the batches' time during which the runtime counted contention");
        }
        else if (monitorContentions > 0)
        {
            s += Text($"; plain locks contended {monitorContentions:N0} times in the process, not timed and not counted here");
        }

        return shared > TimeSpan.Zero ? s + "; " + sharedText : s;
    }

    private static string Pct(TimeSpan part, TimeSpan whole) =>
        whole > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $"{part / whole * 100:0}%") : "0%";

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class Slot
    {
        public TimeSpan First { get; init; }

        public TimeSpan LastEnd { get; set; }

        public TimeSpan Busy { get; set; }

        public TimeSpan RunQueue { get; set; }

        public TimeSpan ExternalRunQueue { get; set; }

        // What its worker processes said their thread waited for a core in their batches (WorkerReport.RemoteRunQueueWait).
        public TimeSpan RemoteRunQueue { get; set; }

        // Its first worker's wait for a core before its first batch (a later worker's falls between batches).
        public TimeSpan StartRunQueue { get; init; }

        public TimeSpan Contended { get; set; }

        public WorkerTiming Last { get; set; }

        // Where the last worker ran (a silo, for a cluster).
        public string? Location { get; set; }
    }
}
