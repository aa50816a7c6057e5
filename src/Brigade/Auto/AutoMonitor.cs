namespace Brigade.Auto;

/// <summary>
/// The controller's watching step once a plan runs: judges windows of finished batches (and batches still running
/// under a CPU plan) against the plan, re-plans when the work changed, and adapts the width (Little's law for
/// blocking work, <see cref="AimdLimiter"/> for asynchronous I/O).
/// </summary>
/// <remarks>Runs under the controller's lock, one tick at a time; <see cref="Restart"/> comes with every new plan.</remarks>
internal sealed class AutoMonitor<TIn, TOut>(
    AutoController<TIn, TOut> controller,
    AutoWorkerPool<TIn, TOut> pool,
    BatchInspector inspector,
    EngineJob<TIn, TOut> job,
    AutoEngineOptions options)
{
    private readonly TimeProvider _time = options.TimeProvider;
    private readonly WidthRecheck _recheck = new();
    private AimdLimiter? _limiter;
    private WorkSample _windowStart;
    private WorkSample _limiterStart;
    private long _limiterStartTimestamp;
    private int _windowTicks;
    private WorkloadClass _pendingClass;
    private int _pendingKindChanges;
    private int _stallTicks;
    private int _stallDeferrals;
    private int _lockFreeWindows;
    private long _progressItems;
    private long _progressAt;
    private bool _scalingJudged;
    private int _serializedReleases;

    /// <summary>Starts the windows afresh at a new plan.</summary>
    /// <param name="total">The run's totals when the plan was applied.</param>
    /// <param name="now">When it was applied (<see cref="AutoEngineOptions.TimeProvider"/> timestamp).</param>
    public void Restart(WorkSample total, long now)
    {
        _windowStart = total;
        _limiterStart = total;
        _limiterStartTimestamp = now;
        _windowTicks = 0;
        _pendingClass = WorkloadClass.Unknown;
        _pendingKindChanges = 0;
        _stallTicks = 0;
        _stallDeferrals = 0;
        _lockFreeWindows = 0;
        _progressItems = total.TotalItems;
        _progressAt = now;
        // A serialized plan back at one thread after a re-check let it run wider waits twice as long for the next one, each
        // time: on a busy machine a preempted lock holder makes the waits read long, and the plan could swing between the two.
        var serialized = controller.Decision?.Class == WorkloadClass.Serialized;
        _recheck.Restart(controller.Decision?.Sample ?? default, controller.Decision?.FromCache == true,
            serialized ? AutoTuning.WidthRecheckWindows << Math.Min(_serializedReleases, 10) : AutoTuning.WidthRecheckWindows);
        _scalingJudged = false;
    }

    /// <summary>Sets the concurrency limiter of an asynchronous-I/O plan (kept until the next such plan).</summary>
    public void Limit(AimdLimiter limiter) => _limiter = limiter;

    public void Step(long now, WorkSample total)
    {
        var decision = controller.Decision!;
        var window = total - _windowStart;
        _windowTicks++;

        // A batch planned for CPU-bound items that now sits waiting: the work turned into blocking I/O mid-run.
        // Re-plan at once rather than after whole windows; its batches may take long to finish.
        // (Not for items whose CPU is in child processes they wait for synchronously: their threads wait whatever the children
        // do. Such work says so with ReportsExternalCpu, or shows it by reporting ExternalCpuTime: a CPU plan made from it
        // was re-planned as blocking from 2 ms batches of threads waiting for "children" that computed.)
        // Items that run child processes and report their CPU (brigade run's commands) are read by their children's clocks
        // while in flight (BatchInspector.ReadExternal), as the sample reads them: when every running batch is such an item
        // and the clocks say waiting, the work is waiting whatever the threads do. Without this, 10 × `echo` then 8 ×
        // `sleep 3` planned CPU-bound at the cores' width ran the sleeps two at a time to the end (auto68: 12 s, not ~3).
        var readsThreads = !job.IsAsyncWork && !options.ReportsExternalCpu;
        // (Only a CPU plan: an asynchronous-I/O plan runs on the same loops and its items wait by nature; re-planning it
        // every two ticks would reset its limiter.)
        if (decision.Kind == LoopKind.Task && (readsThreads || (options.ReportsExternalCpu && decision.Class == WorkloadClass.CpuBound)) && pool.Workers() is var workers &&
            (!readsThreads || !workers.Exists(w => w.Account.Ticks > 0)))
        {
            // Inspect skips batches that overlapped a garbage collection (whose pause is counted only when it ends); but
            // a thread can be held where no counter sees it (the runtime's other stops; the kernel's memory map, locked
            // by a thread that waits for a core, for every thread that faults a page): alloc-heavy under load, both
            // workers held 40 ms at 3 ms of CPU, no collection counted. Such a stop passes; items that now wait keep
            // waiting: two checks in a row.
            //
            // Batches running since the last tick, and any running more than twice their target: workers tick at their
            // batches' ends, so with two workers each tick came right before the other's batch started, and a check of
            // batches older than the tick alone saw none (changes-halfway: 1-item batches of a 5 ms sleep at ×2, re-planned
            // by the windows 30–170 ms later). A batch of a CPU plan that long overran its target.
            var running = inspector.Inspect(workers, now, Math.Max(controller.LastTickTimestamp, now - OverrunTimestamps(decision)), out var inFlight, out var stalled);
            var childrenRead = !readsThreads && inFlight > 0 && inFlight == stalled;

            // Threads that start waiting for a lock contend on the way in; threads that start sleeping or reading do not.
            // Items of a CPU plan that wait on each other's lock are serialized: more threads would only queue there.
            // Under load a preempted lock holder stalls the others for whole ticks with no new contention: the plan's
            // finished items having contended now and then says the same (a monitor spins before it waits, so most
            // hand-overs of a lock that serializes CPU work at the cores' width are never counted).
            var sincePlan = total - controller.SinceDecision;
            var contended = total.LockContentions > controller.LastTickContentions ||
                (sincePlan.LockItems > 0 && sincePlan.ContentionsPerItem >= AutoTuning.StallContentionsMin);
            // Every running batch must be seen waiting: one that could not be read (ready to run, its wait unknown) may be
            // a lock holder the others wait for; one whose thread is held by another (a page fault behind the kernel's memory
            // map, the GC's allocation lock backing off: BatchInspector) is not waiting for anything of its own.
            // (Items in flight are read as pending ones: their children's clocks over the time since the oldest started.)
            var stalledNow = !contended && (readsThreads
                ? BatchInspector.AllClearlyWaiting(running, stalled)
                : childrenRead && running is { } children && children.CpuRatio < AutoTuning.ClearlyBlocking);

            // A worker blocked on a futex whose holder waits for a core (the GC's allocation lock, a runtime lock, at load
            // 30-50 on 2 cores) reads like one in a wait of its own: allocation-heavy CPU work ended on a blocking plan in
            // 3 of 140 runs. The holder is then a thread of this process ready to run; while one is, the look does not count
            // as stalled (and breaks the run of stalled looks). At most MaxStallDeferrals per plan, so a real stall in a
            // process busy elsewhere re-plans at most that many ticks later.
            if (stalledNow && _stallDeferrals < AutoTuning.MaxStallDeferrals && inspector.AnotherThreadRunnable())
            {
                _stallDeferrals++;
                stalledNow = false;
                AutoTrace.Write?.Invoke($"running batches read waiting, but another thread of the process is ready to run: not counted ({_stallDeferrals})");
            }

            _stallTicks = stalledNow ? _stallTicks + 1 : 0;
            // With the run's lock figures: where lock waits are timed, items that wait for each other's lock read as such
            // (two stalled checks in a row also let their waits' events arrive: AutoTuning.LockEventDelay).
            if (_stallTicks >= 2 &&
                AutoPlanner.Decide(BatchInspector.WithLocks(running, total, stalled)!.Value, controller.Context(note: Replanned(decision, "running items started waiting")) with { NotWholeJob = true, FromRunningItems = childrenRead }) is { } blocking)
            {
                controller.Apply(blocking, revision: controller.Plans.Count, fromFinishedItems: false);
                return;
            }
        }

        AutoTrace.Write?.Invoke($"window {window} ratio {window.CpuRatio:0.00}");
        if (total.TotalItems != _progressItems)
        {
            _progressItems = total.TotalItems;
            _progressAt = now;
        }
        else if (Overdue(now, decision) && ReplanOverdue(now, total, window, decision))
        {
            return;
        }

        if (decision.FromRunningItems && decision.Class == WorkloadClass.Blocking && decision.Kind == LoopKind.Thread &&
            window.MeasuredBatches == 0 && !window.MostlyInFlight && total.TotalItems == controller.SinceDecision.TotalItems)
        {
            WidenRunningWaits(now, total, window);
            return;
        }

        var observations = window.Batches + window.PendingItems;
        if (window.MeasuredBatches == 0 && !window.MostlyInFlight)
        {
            // Nothing in the window was measured yet (measuring is every fourth batch): nothing to judge.
            return;
        }

        if (decision.MeasuredClass == WorkloadClass.CpuBound && !window.MostlyInFlight && window.MostlyRuntime &&
            _windowTicks < AutoTuning.MaxRuntimeHeldTicks)
        {
            // A window the runtime held for most of its time measures the runtime: it grows until the work's own time
            // dominates. (alloc-heavy under load: 3 batches of 81 ms, of them 54 ms in GC pauses, 20 ms waiting for a
            // core, 0.9 ms of CPU and 6.7 ms of unexplained waits, read cpu/wall 0.12 and re-planned as blocking I/O.)
            // Only under a CPU plan: the runtime's unseen waits make work look waiting, never computing, so under a
            // waiting plan skipping would only hold back a re-plan or the width. And only for so long (MaxRuntimeHeldTicks).
            AutoTrace.Write?.Invoke($"window held by the runtime ({_windowTicks} ticks): not judged yet");
            return;
        }

        var clear = window.MeasuredBatches >= 2 && !window.MostlyInFlight && (
            (decision.MeasuredClass == WorkloadClass.CpuBound && window.CpuRatio < AutoTuning.ClearlyBlocking) ||
            (decision.MeasuredClass is WorkloadClass.Blocking or WorkloadClass.Mixed && window.CpuRatio > AutoTuning.ClearlyCpuBound));
        if (!clear && (observations < AutoTuning.MinWindowObservations || _windowTicks < AutoTuning.MinWindowTicks))
        {
            return;
        }

        _windowStart = total;
        _windowTicks = 0;
        if (decision.Class == WorkloadClass.Serialized)
        {
            WidenSerialized(window);
            if (RecheckSerialized(window, decision))
            {
                return;
            }
        }

        // Judge the window against the whole input: near the end, the few items left would otherwise cap the width.
        if (AutoPlanner.Decide(window, controller.Context() with { ItemsDone = 0, NotWholeJob = true }) is not { } fresh)
        {
            return;
        }

        if ((fresh.Class != decision.Class || fresh.Kind != decision.Kind) &&
            (decision.Class == WorkloadClass.Serialized || (fresh.Class == WorkloadClass.Serialized && window.LockTiming != LockTiming.Timed)))
        {
            // A serialized plan's single worker contends with nobody, so its windows cannot show the lock it avoids;
            // and a wide plan's contention counts say nothing of how long items waited (a lock taken for a log line
            // contends often at 500 threads). Timed waits do, at any width: a window of them may re-plan to serialized
            // (two in a row, as for any change of class).
            return;
        }

        if (fresh.Class != decision.Class || fresh.Kind != decision.Kind)
        {
            // Two windows in a row must agree before the plan changes: one odd window (a GC, a noisy neighbour, a stop no
            // counter sees) does not. Items of a waiting plan that clearly compute need no second (no stop makes waiting
            // items compute); a CPU plan's clearly waiting window does (cpu-alloc under load: 5 batches, 65 ms of waits
            // unexplained beside 2 ms of CPU), and the check of running batches above sees a real turn as soon.
            if (clear && decision.MeasuredClass != WorkloadClass.CpuBound && AutoPlanner.Decide(window, controller.Context(note: Replanned(decision, "the work changed")) with { NotWholeJob = true }) is { } clearly)
            {
                controller.Apply(StillHeld(clearly, decision, window), revision: controller.Plans.Count);
            }
            else if (_pendingClass == fresh.Class && ++_pendingKindChanges >= 2 &&
                AutoPlanner.Decide(window, controller.Context(note: Replanned(decision, "the work changed")) with { NotWholeJob = true }) is { } replan)
            {
                controller.Apply(StillHeld(replan, decision, window), revision: controller.Plans.Count);
            }
            else if (_pendingClass != fresh.Class)
            {
                _pendingClass = fresh.Class;
                _pendingKindChanges = 1;
            }

            return;
        }

        _pendingClass = WorkloadClass.Unknown;
        _pendingKindChanges = 0;
        var plan = pool.Plan;
        if (decision.Class == WorkloadClass.AsyncIo && _limiter is { } limiter)
        {
            // Throughput is noisy over a few items: the limiter judges its own, longer windows (AimdWindow, AimdItems).
            var span = total - _limiterStart;
            var spanSeconds = _time.GetElapsedTime(_limiterStartTimestamp, now).TotalSeconds;
            if (spanSeconds >= AutoTuning.AimdWindow.TotalSeconds && span.PendingItems >= AutoTuning.AimdItems)
            {
                _limiterStart = total;
                _limiterStartTimestamp = now;
                var limit = limiter.Update(span.PendingItems / spanSeconds, span.TimePerItem);
                if (limit != plan.Width)
                {
                    pool.SetPlan(plan with { Width = limit });
                }
            }
        }
        else if (decision.Class is WorkloadClass.Blocking or WorkloadClass.Mixed && Math.Abs(fresh.Width - plan.Width) > Math.Max(1, plan.Width / 4) &&
            !(fresh.Width > plan.Width && window.LockTiming == LockTiming.Pending && (window.LockContentions > 0 || decision.HeldForLockTiming) && pool.CanTimeLocks))
        {
            // Little's law on the latest window: waits grow when a device saturates, and the width follows. Not wider while
            // the items contend and their lock waits are not timed yet (AutoProbe.LockUnsettled): threads added for a lock
            // would only queue there. A plan held for that reason stays held until its windows are timed, whatever a
            // window's own count says: the runtime's count moves in bursts (four threads queued at a lock around a 3 ms
            // sleep counted none in two 12 ms windows running, then 50 at once, and the plan widened ×4 → ×53).
            // Half the way there (geometrically): a window's CPU per item, Little's law's divisor, rises and falls with the
            // width itself (hundreds of threads waking share the caches and the scheduler), and a full step each window
            // swung 4,000 × 10 ms sleeps between ×170 and ×480, each swing paying for threads started and left.
            // A step that lands within the quarter of the target takes the target (review 14, S3).
            var width = (int)Math.Round(Math.Sqrt((double)plan.Width * fresh.Width));
            width = Math.Abs(fresh.Width - width) <= Math.Max(1, fresh.Width / 4) ? fresh.Width : width;
            AutoTrace.Write?.Invoke($"width {plan.Width} → {width} (toward {fresh.Width}; run queue {window.Contention:0.00}): {fresh.Explanation}");
            pool.SetPlan(plan with { Width = width });
        }
        else if (decision.NarrowedForGrowth && decision.Kind == LoopKind.Task)
        {
            RecheckWidth(window, decision);
        }
        else if (decision.Class == WorkloadClass.CpuBound && decision.Kind == LoopKind.Task && decision.CpuGrowth is null && plan.Width > 1 && !_scalingJudged)
        {
            JudgeScalingFromTotals(total, decision);
        }
    }

    // A CPU plan made before the sample measured its items beside another worker (AutoProbe.AwaitScaling waits a few
    // milliseconds at most): once the run's totals have both sides (the sample's first millisecond alone, the run's batches
    // beside each other), the planner's rule judges them, once per plan. Items that cost too much more beside another
    // worker re-plan to one (then re-checked now and then: RecheckWidth).
    private void JudgeScalingFromTotals(in WorkSample total, PlanDecision decision)
    {
        if (!AutoPlanner.ScalingMeasured(total))
        {
            return;
        }

        _scalingJudged = true;
        if (AutoPlanner.Decide(total, controller.Context(note: Replanned(decision, "judged beside another worker over the run")) with { NotWholeJob = true }) is { NarrowedForGrowth: true } one)
        {
            AutoTrace.Write?.Invoke($"scaling from the run's totals: {one.Explanation}");
            controller.Apply(one, revision: controller.Plans.Count);
        }
    }

    // A serialized plan of one thread contends with nobody, so its windows cannot show the lock gone or no longer held for
    // most of each item; and on a busy machine a preempted holder makes every other thread's wait read long (review 45:
    // items writing a line to one StreamWriter under a lock, ~0.3 µs of a 21 µs item, read 25-64% of the workers' time
    // waiting at load 40 and ran one thread for the rest of the run, 1.4x the thread pool's time). As for CPU plans
    // (RecheckWidth): now and then two threads for two timed windows (the lock's events arrive up to LockEventDelay late),
    // judged by the planner: a lock that no longer serializes re-plans (to the class the windows show, or a serialized
    // plan of two that WidenSerialized widens); otherwise back to one, the next re-check twice as many windows later.
    // Returns whether it re-planned.
    private bool RecheckSerialized(in WorkSample window, PlanDecision decision)
    {
        var plan = pool.Plan;
        var context = controller.Context();
        var open = context.ItemCount is { } count ? count - context.ItemsDone : long.MaxValue;
        if (decision.Width != 1 || decision.Kind != LoopKind.Thread || !pool.CanTimeLocks || (context.MaxDegreeOfParallelism ?? int.MaxValue) < 2 ||
            open < 2 * Math.Max(1, decision.BatchSize) || context.Cores < 2)
        {
            return false;
        }

        switch (_recheck.Next(window, probeWindows: 2))
        {
            case WidthRecheckStep.Probe:
                AutoTrace.Write?.Invoke($"serialized re-check: two threads for two windows (every {_recheck.Every} windows)");
                pool.SetPlan(plan with { Width = 2 });
                return false;

            case WidthRecheckStep.Judge:
                var probe = _recheck.Probe;
                if (probe.LockTiming == LockTiming.Timed &&
                    AutoPlanner.Decide(probe, context with { Note = Replanned(decision, $"the lock re-checked at two threads, {probe.LockWaitShare * 100:0}% of their time waiting for it"), NotWholeJob = true }) is { } fresh &&
                    (fresh.Class != WorkloadClass.Serialized || fresh.Width > 1))
                {
                    AutoTrace.Write?.Invoke($"serialized re-check: {fresh.Explanation}");
                    _serializedReleases++;
                    controller.Apply(fresh, revision: controller.Plans.Count);
                    return true;
                }

                AutoTrace.Write?.Invoke($"serialized re-check: one thread stays ({probe.LockWaitShare:0.00} waiting for the lock)");
                _recheck.KeptOne();
                pool.SetPlan(plan with { Width = 1 });
                return false;

            default:
                return false;
        }
    }

    // A one-worker CPU plan for items that cost more CPU beside another worker (AutoPlanner.MinWidthGain) contends with
    // nobody, so its windows cannot show the contention gone: without a look at two workers now and then, a run whose
    // sample's contention was its start-up, or whose items grew heavier, stayed at one worker to its end (review 44). The
    // re-check (WidthRecheck) runs two workers for a window; the planner's rule then judges the one-worker windows before
    // it against it, as it judged the sample: two workers that now gain re-plan to the cores' width, else back to one, and
    // the next re-check comes twice as many windows later, so stable contention does not swing the width.
    private void RecheckWidth(in WorkSample window, PlanDecision decision)
    {
        var plan = pool.Plan;
        var context = controller.Context();
        var open = context.ItemCount is { } count ? count - context.ItemsDone : long.MaxValue;
        if ((context.MaxDegreeOfParallelism ?? int.MaxValue) < 2 || context.Options.OneAtATime || open < 2 * Math.Max(1, decision.BatchSize))
        {
            return;
        }

        switch (_recheck.Next(window))
        {
            case WidthRecheckStep.Probe:
                AutoTrace.Write?.Invoke($"width re-check: two workers for a window (every {_recheck.Every} windows)");
                pool.SetPlan(plan with { Width = 2 });
                break;

            case WidthRecheckStep.Judge:
                var evidence = _recheck.Evidence;
                var growth = AutoPlanner.CpuGrowth(evidence);
                var note = growth is { } g
                    ? $"re-planned: one worker re-checked against two, an item took {g.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}× its CPU alone beside another worker"
                    : "re-planned: one worker re-checked against two";
                if (growth is not null && AutoPlanner.Decide(evidence, context with { Note = note, NotWholeJob = true }) is { Class: WorkloadClass.CpuBound, Width: > 1 } wider)
                {
                    AutoTrace.Write?.Invoke($"width re-check: {wider.Explanation}");
                    controller.Apply(wider, revision: controller.Plans.Count);
                    return;
                }

                AutoTrace.Write?.Invoke($"width re-check: one worker stays (growth {growth?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) ?? "not measured"})");
                _recheck.KeptOne();
                pool.SetPlan(plan with { Width = 1 });
                break;
        }
    }

    // A plan for pure waits made from items still running weighed the threads' starts against the wait seen so far, a
    // lower bound: while no item finishes, that wait grows, and so does the width that repays the starts (√(items × wait /
    // start)). 64 one-second sleeps planned ×38 after 9 ms of waiting are all running ~20 ms later, in one wave; 4,000
    // sleeps of 10 ms finish before the width has grown past what their starts repay.
    private void WidenRunningWaits(long now, WorkSample total, in WorkSample window)
    {
        // Not a plan held until the items' lock waits are timed (threads queued behind a lock look like sleeping ones from
        // outside: review 14, M1), nor while the items contend and their waits are not timed yet (as for the windows below).
        var plan = pool.Plan;
        var decision = controller.Decision!;
        if (!OperatingSystem.IsLinux() || decision.HeldForLockTiming)
        {
            return;
        }

        var workers = pool.Workers();
        var running = inspector.Inspect(workers, now, controller.LastTickTimestamp, out _, out var stalled);

        // Every thread that queues at a lock contends on its way in, so threads queued behind one lock count about one
        // contention each: a few contentions among many running items (the process's own, another component's) cannot
        // be what holds them. Those items register for lock timing only at their next batch, so until the first wave
        // ends their timing stays pending: one stray contention held 64 × 2 s sleeps at ×43 for the whole wave (CI).
        // The running items are all the batches running since the last tick, not only those read this tick (at most
        // MaxInspectedPerTick): against 16, four stray contentions held the same wave at ×29 (review 33).
        if (running is { } seen && QueuedAtALock(window, total, seen, workers))
        {
            AutoTrace.Write?.Invoke($"running waits: not widened (lock timing {window.LockTiming}, {total.LockContentions} contentions for {Math.Max(seen.TotalItems, RunningBatches(workers, controller.LastTickTimestamp))} running items)");
            return;
        }

        if (running is null || inspector.FirstLooksOnly ||
            BatchInspector.WithLocks(running, total, stalled) is not { } measured ||
            AutoPlanner.Decide(measured, controller.Context(note: "decided from items still running") with { NotWholeJob = true, FromRunningItems = true }) is not { } wider ||
            wider.Class != WorkloadClass.Blocking || wider.Kind != plan.Kind || wider.Width <= plan.Width)
        {
            AutoTrace.Write?.Invoke(running is null ? "running waits: nothing read" : inspector.FirstLooksOnly ? "running waits: first looks only" : $"running waits: not widened ({running})");
            return;
        }

        AutoTrace.Write?.Invoke($"running waits: width {plan.Width} → {wider.Width}: {wider.Explanation}");
        pool.SetPlan(plan with { Width = wider.Width });
    }

    // The workers running a batch that started before the last tick (as BatchInspector reads them: time enough to reach a lock).
    private static int RunningBatches(List<AutoWorker> workers, long lastTickTimestamp)
    {
        var n = 0;
        foreach (var w in workers)
        {
            var since = w.InBatchSince;
            if (since != 0 && since <= lastTickTimestamp)
            {
                n++;
            }
        }

        return n;
    }

    // Whether no item has finished for twice the time the plan expected a batch to take (at least two monitor ticks), under
    // a plan for waits that was not made from this run's finished items: a cached plan made for shorter items of the same
    // work (brigade run's `sleep {}` over 10 ms, then over 1 s: ×8–×22 where 64 would have run in one wave), or a plan from
    // items still running whose wait so far was only a lower bound. While none finishes, no window shows it. A plan from
    // finished items is left to its windows and limiter: there, a stall is the device's (a slow server), and widening into
    // it would only load it more (review 15, M1). Plans from running pure waits on threads widen in WidenRunningWaits.
    private bool Overdue(long now, PlanDecision decision)
    {
        var expected = decision.Sample.TimePerItem;
        var fromCache = controller.Plans.Count == 1 && controller.Plans[0].FromCache;
        if (decision.Class is not (WorkloadClass.Blocking or WorkloadClass.AsyncIo) || expected <= TimeSpan.Zero ||
            !(fromCache || decision.FromRunningItems) ||
            (decision.FromRunningItems && decision.Class == WorkloadClass.Blocking && decision.Kind == LoopKind.Thread))
        {
            return false;
        }

        var batch = Math.Max(expected.Ticks * Math.Max(1, decision.BatchSize), decision.TargetBatch.Ticks);
        return _time.GetElapsedTime(_progressAt, now).Ticks > Math.Max(2 * batch, 2 * AutoTuning.MonitorTick.Ticks);
    }

    // Re-plans overdue items from what they have waited so far (a lower bound, as for the sample's plan from running items),
    // when that is a plan for waits too, clearly wider (by a quarter at least), and at most four times as wide per step
    // (threads blocked for commands read as asynchronous waits: they re-plan to tasks); the plan is then one from running
    // items, re-planned again when still overdue. Not while the items contend and their lock waits are not timed yet:
    // threads queued behind a lock look like sleeping ones. A declined re-plan waits for the next overdue span (no
    // inspection every tick of a long stall).
    private bool ReplanOverdue(long now, WorkSample total, in WorkSample window, PlanDecision decision)
    {
        var plan = pool.Plan;
        _progressAt = now;
        if (decision.HeldForLockTiming)
        {
            return false;
        }

        // Items in flight hold no thread a lock could block (brigade run's commands read by their CPU clocks count so too).
        // Contentions hold the re-plan only when they can be threads queued at a lock (QueuedAtALock): any contention
        // did, so one stray contention in a process whose lock timing was still pending could hold a cached plan's long
        // sleeps for every wave, as it held the running waits' widening (not reproduced here: a test host times locks).
        var workers = pool.Workers();
        var running = inspector.Inspect(workers, now, controller.LastTickTimestamp, out _, out var stalled);
        if (running is not { } r || (!r.MostlyInFlight && (inspector.FirstLooksOnly ||
                QueuedAtALock(window, total, r, workers))) ||
            BatchInspector.WithLocks(running, total, stalled) is not { } measured ||
            AutoPlanner.Decide(measured, controller.Context(note: Replanned(decision, "the items outlast the plan")) with { NotWholeJob = true, FromRunningItems = true }) is not { } fresh ||
            fresh.Class is not (WorkloadClass.Blocking or WorkloadClass.AsyncIo) || fresh.Width < plan.Width + Math.Max(1, plan.Width / 4))
        {
            return false;
        }

        var wider = fresh.Width > 4 * plan.Width ? fresh.CappedAt(4 * plan.Width, "four times the width it outlasted at most per step") : fresh;
        AutoTrace.Write?.Invoke($"overdue: width {plan.Width} → {wider.Width}: {wider.Explanation}");
        controller.Apply(wider, revision: controller.Plans.Count, fromFinishedItems: false);
        return true;
    }

    // A plan held at the unsettled-lock cap that turns from one waiting class to the other (blocking, mixed) stays held
    // while its windows are not timed: the change of class says nothing about a lock, and the new plan's Little's law
    // would give the threads the hold is there to keep from queueing at it (review 11).
    private PlanDecision StillHeld(PlanDecision next, PlanDecision current, in WorkSample window)
    {
        var width = pool.Plan.Width;
        return current.HeldForLockTiming && window.LockTiming == LockTiming.Pending && pool.CanTimeLocks &&
            next.Class is WorkloadClass.Blocking or WorkloadClass.Mixed && next.Kind == current.Kind && next.Width > width
            ? next.HeldAt(width)
            : next;
    }

    // A serialized plan of two or more threads starts at two (AutoPlanner: the sample tells one from more, not how many
    // more); each two timed windows in a row that show the lock not busy at the plan's width (AutoPlanner.LockSaturated)
    // double it, up to the cores, the run's limit and the items left. It stops at the first width that keeps the lock busy:
    // at most twice what the lock lets run, and the extra threads only queue at it. Never narrower: the width came from
    // readings at a smaller one. A plan of one thread contends with nobody, so its windows show nothing (it came from
    // clear evidence that the lock holds nearly all of each item).
    private void WidenSerialized(in WorkSample window)
    {
        var plan = pool.Plan;
        // (Not a plan of one thread running two for its re-check: RecheckSerialized judges those windows.)
        if (plan.Kind != LoopKind.Thread || plan.Width < 2 || controller.Decision!.Width < 2 || window.LockTiming != LockTiming.Timed || AutoPlanner.LockSaturated(window, plan.Width))
        {
            _lockFreeWindows = 0;
            return;
        }

        var context = controller.Context();
        var open = context.ItemCount is { } count ? count - context.ItemsDone : long.MaxValue;
        var wider = (int)Math.Min(Math.Min(Math.Min(plan.Width * 2L, context.Cores), context.MaxDegreeOfParallelism ?? int.MaxValue), open);
        AutoTrace.Write?.Invoke($"serialized ×{plan.Width}: lock free ({window.LockWorkers:0.0} workers waited {window.LockWaitShare:0.00}), window {_lockFreeWindows + 1}");
        if (++_lockFreeWindows >= 2 && wider > plan.Width)
        {
            _lockFreeWindows = 0;
            pool.SetPlan(plan with { Width = wider });
        }
    }

    // The items contend and their lock waits are not timed yet: threads queued behind a lock look like sleeping ones, so
    // neither a widening for running waits nor an overdue re-plan may read them as waits.
    private bool LockWaitsUntimed(in WorkSample window, in WorkSample total) =>
        window.LockTiming == LockTiming.Pending && (window.LockContentions > 0 || total.LockContentions > 0) && pool.CanTimeLocks;

    // Contentions that can be the running items queued at a lock: their waits are not timed yet, and the contentions number
    // a quarter of the running items or more (every thread that queues at a lock contends on its way in, see
    // WidenRunningWaits). Fewer are the process's own (a logger, a cache), not what holds the items.
    private bool QueuedAtALock(in WorkSample window, in WorkSample total, in WorkSample seen, List<AutoWorker> workers) =>
        LockWaitsUntimed(window, total) &&
        total.LockContentions * 4 >= Math.Max(seen.TotalItems, RunningBatches(workers, controller.LastTickTimestamp));

    // Twice a plan's target batch, in the time provider's timestamps: a batch running longer overran it (EngineWorker halves
    // the next one).
    private long OverrunTimestamps(PlanDecision decision) => (long)(2 * decision.TargetBatch.TotalSeconds * _time.TimestampFrequency);

    private static string Replanned(PlanDecision from, string why) => $"re-planned: {why}, was {AutoFormat.ClassName(from.Class)}";
}
