namespace Brigade.Auto;

/// <summary>
/// The controller's sampling step: from the run's first items (or, when they take long, the items still running)
/// to the first plan, widening the sample meanwhile.
/// </summary>
/// <remarks>Runs under the controller's lock, one tick at a time.</remarks>
internal sealed class AutoProbe<TIn, TOut>(
    AutoController<TIn, TOut> controller,
    AutoWorkerPool<TIn, TOut> pool,
    BatchInspector inspector,
    EngineJob<TIn, TOut> job,
    AutoEngineOptions options,
    int cores)
{
    private readonly TimeProvider _time = options.TimeProvider;

    // Only sequential allowed (AutoEngineOptions.OneAtATime): the sample runs one item at a time too.
    private readonly bool _oneAtATime = options.OneAtATime;
    private volatile bool _widenedOnce;
    private int _waitingTicks;
    private long _scalingWaitFrom = -1;

    /// <summary>Gets whether the sample was widened past its first worker.</summary>
    public bool WidenedOnce => _widenedOnce;

    public void Step(long now, WorkSample total)
    {
        var plan = pool.Plan;
        var elapsed = _time.GetElapsedTime(controller.StartTimestamp, now);

        if (!_widenedOnce)
        {
            FirstWiden(total);
            return;
        }

        // Enough: the full sample, or the sample time with a few items, or a few items that leave no doubt (items
        // sleeping 99% of their time need no twentieth millisecond to be recognized).
        var clear = total.TotalItems >= AutoTuning.MinSampleItems && (total.MostlyInFlight || total.MeasuredBatches >= 2) &&
            (total.CpuRatio < AutoTuning.ClearlyBlocking || (total.CpuRatio > AutoTuning.ClearlyCpuBound && !total.MostlyInFlight));

        // Batches not measured count as computation because they were too short to measure; but a worker's first batch
        // is never measured (it reads no run-queue wait), whatever its length, and widening the sample starts such
        // workers. A sample of those alone says nothing yet (four 10 ms sleeps read cpu/wall 1.00, CPU-bound).
        var measurable = total.MostlyInFlight || total.MeasuredBatches > 0 || total.WallTicks < total.Batches * AutoTuning.MinMeasuredBatch.Ticks;
        var enough = measurable && ((total.Batches + total.PendingItems >= 2 && total.TotalItems >= options.SampleItems)
            || (elapsed >= options.SampleTime && total.TotalItems >= AutoTuning.MinSampleItems)
            || (clear && elapsed >= 2 * AutoTuning.ProbeTick));
        if (enough && AutoPlanner.Decide(total, controller.Context()) is { } decision && !AwaitLockTiming(decision, total, elapsed) &&
            !AwaitScaling(decision, total, elapsed))
        {
            controller.Apply(LockUnsettled(decision, total), revision: 0);
            return;
        }

        var running = BatchInspector.WithLocks(inspector.Inspect(pool.Workers(), now, controller.LastTickTimestamp, out var inFlight, out var stalled), total, stalled);
        var stuck = stalled > 0 && total.TotalItems == controller.LastTickItems;
        var waiting = stuck && inspector.IsWaiting(running, inFlight, stalled, now, controller.LastTickTimestamp);

        // Items blocked on each other's lock are as stuck as sleeping ones, but widening would only queue more at the lock.
        var serialized = stuck && !waiting && running is { } locked && AutoPlanner.Classify(locked) == WorkloadClass.Serialized;
        _waitingTicks = waiting || serialized ? _waitingTicks + 1 : 0;

        // Every running item has waited for two ticks in a row and hardly any has finished: waiting for them to
        // finish would only waste the time auto mode exists to save (64 one-second sleeps, two at a time).
        var stillRunning = controller.Context(note: "decided from items still running") with { NotWholeJob = true, FromRunningItems = true };
        if (options.ReportsExternalCpu && !(waiting && inFlight > 0 && inFlight == stalled))
        {
            // Running items that do not show their children's CPU clocks waiting (not read yet, not readable, or using the
            // CPU) say nothing yet about the CPU they cause elsewhere: wait, at the core count, for finished ones. Threads
            // blocked in a synchronous wait for their child read as waiting whatever the child does: that is no evidence
            // (only items in flight are read by their children's clocks, BatchInspector.ReadExternal).
            // Where only the workers' first batches have finished (kept aside as warm-up: they pay for compiling the work),
            // those: items that outlast the sample time (64 × `sleep 1`) would otherwise run a second wave at the core
            // count before any plan (3.3 s against 1.3 s on 64 threads), and a compile's milliseconds are nothing beside them.
            var measured = total.TotalItems > 0 ? total : pool.Warmup.TotalItems > 0 ? total + pool.Warmup : default(WorkSample?);
            if (elapsed >= options.SampleTime && measured is { } items && AutoPlanner.Decide(items, controller.Context()) is { } finished)
            {
                controller.Apply(finished, revision: 0);
            }

            return;
        }

        // Two looks at the same running batch are enough: the second covers only time the item spent waiting.
        if ((_waitingTicks >= 2 || (_waitingTicks >= 1 && inspector.LookedTwice)) && total.TotalItems < AutoTuning.MinSampleItems && running is { } blocked && !inspector.FirstLooksOnly &&
            AutoPlanner.Decide(blocked, stillRunning) is { } early && !AwaitRunningLockTiming(early, total, elapsed))
        {
            controller.Apply(RunningLockUnsettled(early, total), revision: 0, fromFinishedItems: false);
            return;
        }

        if (elapsed >= options.SampleTime)
        {
            // Out of sample time: the items that finished, however few (a whole item measured says more than part
            // of one); else what is still running (items far longer than the sample); else, late, the warm-up items.
            var measured = total.MostlyInFlight || total.MeasuredBatches > 0;
            var fromRunning = !measured && running is not null && !inspector.FirstLooksOnly;
            var late = measured ? AutoPlanner.Decide(total, controller.Context())
                : fromRunning ? AutoPlanner.Decide(running!.Value, stillRunning)
                : elapsed >= 4 * options.SampleTime ? AutoPlanner.Decide(total + pool.Warmup, controller.Context())
                : null;
            if (late is not null && (fromRunning || !AwaitLockTiming(late, total, elapsed)))
            {
                controller.Apply(fromRunning ? RunningLockUnsettled(late, total) : LockUnsettled(late, total), revision: 0, fromFinishedItems: !fromRunning);
                return;
            }
        }

        // The running items wait but not for long enough to decide: widen the sample so that waits overlap meanwhile (not
        // where items run one at a time: AutoEngineOptions.OneAtATime).
        if (waiting && !_oneAtATime)
        {
            var kind = job.IsAsyncWork ? LoopKind.Task : LoopKind.Thread;
            var cap = job.IsAsyncWork ? options.MaxConcurrency : controller.Context().ThreadCeiling;
            var step = job.IsAsyncWork && inFlight > 0 && inFlight == stalled ? AutoTuning.AsyncProbeGrowth : 2L;
            var width = (int)Math.Min(Math.Min(Math.Min(plan.Width * step, cap), job.Options.MaxDegreeOfParallelism ?? int.MaxValue), job.ItemCount ?? long.MaxValue);
            if (width > plan.Width || kind != plan.Kind)
            {
                AutoTrace.Write?.Invoke($"probe widens {plan.Width} -> {Math.Max(width, plan.Width)} ({inFlight} in flight, {stalled} waiting)");
                pool.SetPlan(plan with { Kind = kind, Width = Math.Max(width, plan.Width) });
            }
        }
    }

    // Items that wait, where plain-lock waits can be timed: whether they wait for each other's lock or for a device
    // decides between one thread and many, and a wide plan for waiting items takes every item of a small job at once
    // (the monitor's re-plan would come too late). A lock shows only once two items want it together: one worker cannot
    // contend. So the sample first has two workers run items at once (on two threads or more); if nothing
    // contended meanwhile, no lock holds them; if something did, it waits until timed waits cover that time. Bounded:
    // a few milliseconds past the sample time (AutoTuning.LockEventDelay), and no longer.
    private bool AwaitLockTiming(PlanDecision decision, WorkSample total, TimeSpan elapsed)
    {
        if (decision.Class is not (WorkloadClass.Blocking or WorkloadClass.Mixed) || !pool.CanTimeLocks || total.LockTiming == LockTiming.Counted ||
            elapsed >= options.SampleTime + (2 * AutoTuning.LockEventDelay) || !CanRunTwo())
        {
            return false;
        }

        var timing = pool.LockTiming;
        if (!timing.Overlapped)
        {
            // On dedicated threads, as the waiting items' plan will be: a thread-pool worker that waits for a pool thread
            // (the others taken by the items' own waits) would delay the plan by the pool's thread injection.
            var plan = pool.Plan;
            var kind = job.IsAsyncWork ? LoopKind.Task : LoopKind.Thread;
            if (plan.Width < 2 || plan.Kind != kind)
            {
                pool.SetPlan(plan with { Kind = kind, Width = Math.Max(2, plan.Width) });
            }

            return true;
        }

        return total.LockContentions > 0 && !LockSettled(total);
    }

    // CPU-bound items measured alone (the first worker's batches before the sample widened) but not yet enough beside
    // another worker: whether a second worker finishes items faster than one is in the CPU time per item of the two
    // (AutoPlanner.CpuGrowth), and the sample is already running at its width, so waiting costs the items little. Bounded
    // by AutoTuning.MaxScalingWait from the first tick it waited (before: by the sample time alone, up to 20 ms of the
    // sample's small, measured batches); what has not come by then the monitor judges from the run's totals
    // (AutoMonitor.JudgeScalingFromTotals). A sample with nothing measured alone (items of a millisecond or more: the first
    // worker's first batch is warm-up), or on a busy machine (AutoPlanner.ScalingBusyMax: the check does not apply there),
    // does not wait.
    private bool AwaitScaling(PlanDecision decision, WorkSample total, TimeSpan elapsed)
    {
        var waited = _scalingWaitFrom < 0 ? TimeSpan.Zero : elapsed - TimeSpan.FromTicks(_scalingWaitFrom);
        var wait = WaitsForScaling(decision, total, pool.Plan.Width, elapsed, waited, options.SampleTime);
        if (wait && _scalingWaitFrom < 0)
        {
            _scalingWaitFrom = elapsed.Ticks;
        }

        return wait;
    }

    /// <summary>Whether the sample waits for its batches beside another worker before planning a CPU-bound job (see
    /// <c>AwaitScaling</c>): a pure function of the figures, for tests.</summary>
    /// <param name="decision">The plan the sample would make now.</param>
    /// <param name="total">The sample.</param>
    /// <param name="sampleWidth">The sample's width now.</param>
    /// <param name="elapsed">The time since the run started.</param>
    /// <param name="waited">How long the sample has waited for these batches already.</param>
    /// <param name="sampleTime">The longest sample (<see cref="AutoEngineOptions.SampleTime"/>).</param>
    internal static bool WaitsForScaling(PlanDecision decision, in WorkSample total, int sampleWidth, TimeSpan elapsed, TimeSpan waited, TimeSpan sampleTime) =>
        decision.Class == WorkloadClass.CpuBound && decision.Kind == LoopKind.Task && decision.Width > 1 && sampleWidth > 1 &&
        elapsed < sampleTime && waited < AutoTuning.MaxScalingWait && total.Contention < AutoPlanner.ScalingBusyMax &&
        total.SoloBatches >= AutoPlanner.MinScalingBatches && total.SoloCpuTicks >= AutoPlanner.MinScalingCpu.Ticks && !AutoPlanner.ScalingMeasured(total);

    // Timed waits cover a time when two workers were in batches (MinTimedLocks past the first such tick).
    private bool LockSettled(WorkSample total)
    {
        var timing = pool.LockTiming;
        return total.LockTiming == LockTiming.Timed && timing.OverlapSeenAt != 0 && timing.CoveredUntil >= timing.OverlapSeenAt + TimestampOf(AutoTuning.MinTimedLocks);
    }

    // Items still running that wait, while timing is on and the run contended: threads blocked behind one lock look like
    // sleeping ones from outside. The plan waits until timed waits cover a time when two workers were in batches (the
    // events arrive up to AutoTuning.LockEventDelay late), within the same bound. Only where timing is on already: a
    // process's first contended run does not wait ~0.2 s for the listener, so long sleeps never pay that.
    private bool AwaitRunningLockTiming(PlanDecision decision, WorkSample total, TimeSpan elapsed)
    {
        return decision.Class is WorkloadClass.Blocking or WorkloadClass.Mixed && pool.CanTimeLocks && Reporting.PlainLockWaits.IsStarted &&
            total.LockContentions > 0 && total.LockTiming != LockTiming.Counted && elapsed < options.SampleTime + (2 * AutoTuning.LockEventDelay) &&
            pool.LockTiming.OverlapSeenAt != 0 && !LockSettled(total);
    }

    // Items still running that wait: from outside (CPU clock, thread state: a futex either way) a thread blocked behind a
    // lock looks like a sleeping one. The evidence that tells them apart is a lock wait of a worker inside its own batch
    // (timed events, by OS thread: Brigade's own locks between batches and the process's other threads never count). With
    // it, and the waits not yet timed over a time two workers ran, the plan gets the same cap as one from finished items;
    // without it (no wait delivered, or timing off, as in a process's first run) the pure-wait plan stays as wide as it is,
    // so long sleeps are not held back.
    private PlanDecision RunningLockUnsettled(PlanDecision decision, WorkSample total) =>
        pool.LockTiming.WaitedInBatches(pool.Workers()) ? LockUnsettled(decision, total) : decision;

    // The first plan for waiting items that contended while their waits are not timed yet over a time two workers were in
    // batches (the listener still starting, or the events later than the sample's bound): not wider than UnsettledLockCap
    // until timed windows show whether a lock holds them. The monitor widens by Little's law once they do not (a window or
    // two later; not from untimed windows that contend), or re-plans to serialized; a small job is not taken all at once.
    // The contention count is process-wide (Brigade's own locks, the host's), and it is the trigger even where the listener
    // timed the run from its start: "no lock wait delivered inside a batch" is no evidence here, since this plan is made
    // only once the sample's bound for the events has passed without them (a busy machine delays their dispatch: at load
    // 16 with 75% of the time waiting for a core, a lock around a 3 ms sleep was planned ×42 that way, review 10 S6 tried).
    private PlanDecision LockUnsettled(PlanDecision decision, WorkSample total)
    {
        var cap = UnsettledLockCap(cores);
        if (decision.Class is not (WorkloadClass.Blocking or WorkloadClass.Mixed) || !pool.CanTimeLocks || decision.Width <= cap ||
            total.LockTiming == LockTiming.Counted || total.LockContentions == 0 || LockSettled(total))
        {
            return decision;
        }

        return decision.HeldAt(cap);
    }

    /// <summary>The widest first plan for waiting items that contended before their lock waits were timed: twice the cores,
    /// at most <see cref="AutoTuning.MaxUnsettledLockWidth"/> (review 10 S5: on 32 cores, 64 would still take a job of 60
    /// items all at once behind a lock).</summary>
    /// <param name="cores">The cores.</param>
    public static int UnsettledLockCap(int cores) => Math.Min(2 * cores, AutoTuning.MaxUnsettledLockWidth);

    private bool CanRunTwo() => !_oneAtATime && (job.Options.MaxDegreeOfParallelism ?? int.MaxValue) >= 2 && (job.ItemCount ?? long.MaxValue) >= 2;

    private static long TimestampOf(TimeSpan span) => (long)(span.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    // The first millisecond runs on one worker: a job that small is decided before a second worker starts. The
    // first worker does this itself after a millisecond of work (so short jobs never wake the controller, whose
    // wake-up on a busy machine can cost the worker its core); the controller does it if that worker is stuck
    // in a long item.
    public void FirstWiden(WorkSample total)
    {
        _widenedOnce = true;
        var measured = total.Items > 0 ? total : pool.Warmup;
        if (job.ItemCount is not null && measured.Items > 0 && AutoPlanner.Decide(measured, controller.Context()) is { Class: WorkloadClass.Tiny } tiny)
        {
            controller.Apply(tiny, revision: 0);
            return;
        }

        // Where only sequential is allowed (AutoEngineOptions.OneAtATime), the sample stays at one worker: the user chose one
        // item at a time, for work that may not be thread-safe (review 65b: the sample ran it on the cores' workers).
        var width = _oneAtATime ? 1 : Math.Max(1, (int)Math.Min(Math.Min(cores, job.Options.MaxDegreeOfParallelism ?? int.MaxValue), job.ItemCount ?? long.MaxValue));
        pool.SetPlan(pool.Plan with { Width = width });
    }
}
