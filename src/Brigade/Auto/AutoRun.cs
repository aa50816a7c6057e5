namespace Brigade.Auto;

/// <summary>
/// One auto-mode run: starts the controller and the worker loops, waits for the last loop to leave, then describes the
/// run's plans for the report and remembers the plan for the next run of the same work.
/// </summary>
/// <remarks>
/// <para>The parts: <see cref="AutoWorkerPool{TIn, TOut}"/> (the worker loops, which follow the published plan),
/// <see cref="AutoController{TIn, TOut}"/> (one tick at a time: <see cref="AutoProbe{TIn, TOut}"/> while sampling,
/// <see cref="AutoMonitor{TIn, TOut}"/> afterwards), <see cref="BatchInspector"/> (batches still running) and
/// <see cref="AutoWorker"/> (one loop's measurements). See <c>docs/auto-mode.md</c> for the rules.</para>
/// <para><b>Completion.</b> The run is over when a loop has seen the end of the input (or the run stopping) and no
/// loop is left. A plan switch may briefly leave no loop running; the controller starts the new plan's first loop
/// right after publishing the plan, so the count only reaches zero for good once the input is exhausted.</para>
/// </remarks>
internal sealed class AutoRun<TIn, TOut>
{
    private readonly EngineJob<TIn, TOut> _job;
    private readonly AutoEngineOptions _options;
    private readonly PlanCache? _cache;
    private readonly string _cacheKey = "";
    private readonly BatchInspector _inspector;
    private readonly AutoController<TIn, TOut> _controller;
    private readonly AutoWorkerPool<TIn, TOut> _pool;

    public AutoRun(EngineJob<TIn, TOut> job, AutoEngineOptions options)
    {
        _job = job;
        _options = options;
        // A dynamic method (a compiled expression) is not remembered: its name is a per-process counter, so every
        // one would be a new entry, rewriting the file each run and evicting the real plans (soak: 510 of 512 entries).
        if (options.PlanCacheEnabled && job.HasStableWorkIdentity)
        {
            _cache = new PlanCache(options.PlanCacheDirectory ?? PlanCache.DefaultDirectory());
            // The plan key tells apart runs of one delegate that do different things (brigade run's commands); the label does
            // not: a label per request would make every run a new entry.
            _cacheKey = PlanCache.KeyFor($"{job.WorkIdentity}{(job.IsAsyncWork ? " (async)" : "")}{(job.Options.PlanKey is { } planKey ? " [" + planKey + "]" : "")}");
        }

        _inspector = new BatchInspector(options.TimeProvider, job.IsAsyncWork, options.ReportsExternalCpu);
        _controller = new AutoController<TIn, TOut>(job, options, _inspector);
        _pool = _controller.Pool;
    }

    public async Task RunAsync()
    {
        _controller.Start();
        _controller.Launch(_cache?.TryGet(_cacheKey));
        AutoTicker.Register(_controller);
        try
        {
            await _pool.AllExited.ConfigureAwait(false);
        }
        finally
        {
            _controller.Stop();
            AutoTicker.Unregister(_controller);
        }

        try
        {
            Finish();
        }
        finally
        {
            _pool.StopWatchingLocks();
        }
    }

    // What the caller waits for after the last item: the run's exact totals and, where anything needs it now (the plan
    // cache, AutoEngineOptions.OnFinished), the decision at the end. The report's plan line is formatted when it is read
    // (AutoRunPlans): 6–21 µs of a tiny job's ~150 µs went here, 36–54 µs after a pause (docs/performance.md, issue 16).
    private void Finish()
    {
        _inspector.DisposeReaders();
        var total = _pool.Totals(exact: true);
        var plan = _pool.Plan;
        var helperItems = _pool.Helper is { } helper ? helper.Totals.Items : 0;
        var noteItems = _job.ItemCount ?? _job.ItemsTaken;

        var decision = _controller.Decision;
        if (decision is null)
        {
            // The input ended within the sample: describe the run with everything measured, now that its size is known.
            var measured = total.TotalItems > 0 ? total : _pool.Warmup;
            var context = _controller.Context(finished: true);
            var decideNow = _options.OnFinished is not null || (_cache is not null && !_job.StoppedEarly);
            if (!decideNow && AutoRunPlans.CanDecideLater(measured, context, _job.ItemsTaken, noteItems, out var planned))
            {
                _job.Plan = null;
                _job.AutoPlans = AutoRunPlans.Later(measured, context, _job.SinceStart(), _job.ItemsTaken, noteItems, plan, helperItems);
                if (planned)
                {
                    // As below: the report's width is the one the run ended with (none is set where nothing was planned).
                    _job.DegreeOfParallelism = plan.Width;
                }

                return;
            }

            if (AutoPlanner.Decide(measured, context) is not { } after)
            {
                Observe(total, null);
                _job.Plan = AutoRunPlans.NothingToPlan(_job.ItemsTaken);
                return;
            }

            _controller.DecideAtEnd(after);
            decision = after;
        }

        Observe(total, decision);
        _job.Plan = null;
        var plans = AutoRunPlans.Decided(_controller.Plans, decision, noteItems, plan, helperItems);
        plans.Contention = CpuContention.Of(total);
        _job.AutoPlans = plans;
        _job.DegreeOfParallelism = plan.Width;
        Remember(total, total - _controller.SinceDecision, decision);
    }

    // The run's own items, when there are a few, none was in flight, and all of their batches' wall time came to less than
    // AutoTuning.TinyItem per item: as a sample of wall times alone (figures per item over every item, CPU time per item
    // estimated as the wall time, as for batches too short to measure), so that one measured batch an interrupt or a
    // page fault stretched does not stand for all of them.
    private static WorkSample? RanTooShortToWait(WorkSample own) =>
        own.Items >= 2 && own.PendingItems == 0 && own.WallTicks < own.Items * AutoTuning.TinyItem.Ticks
            ? own with { MeasuredItems = 0, MeasuredBatches = 0, MeasuredWallTicks = 0, CpuTicks = 0, RunQueueTicks = 0, GcPauseTicks = 0, SoloItems = 0, SoloBatches = 0, SoloCpuTicks = 0, SoloGcPauseTicks = 0 }
            : null;

    // The final evidence, for AutoEngineOptions.OnFinished (tests): read here, as the run read it, not by a copy of the run.
    private void Observe(WorkSample total, PlanDecision? decision) =>
        _options.OnFinished?.Invoke(new AutoRunOutcome(total, _pool.Warmup, decision, [.. _controller.Plans], _pool.Workers(), _pool.Helper));

    // total: the run's exact totals, read by Finish once every loop had left (read again here, they would be the same
    // workers' same figures, for another pass over the workers and the lock timing).
    private void Remember(WorkSample total, WorkSample sinceDecision, PlanDecision decision)
    {
        // A run stopped part-way (review 17 S1) counts its batches whole, items never run included (a batch's time is
        // its items' that ran): its time per item is too short, and the plan cache would keep it for the next run.
        if (_cache is null || _job.StoppedEarly)
        {
            return;
        }

        var fromDecision = sinceDecision.TotalItems < decision.Sample.TotalItems;
        var sample = fromDecision ? decision.Sample : sinceDecision;

        // A run that followed a cached plan and measured fewer items than it: remembering the decision's sample would
        // write the cached figures back, so a plan that no longer fits stays for good. Small jobs are where that happens: a
        // cached ThreadPool ×2 plan for 500 items of ~0.3 µs (from a sample slowed by a busy machine) runs each worker's
        // first batch only, which counts as warm-up, so every run after it re-planned ×2 from the old figures (~110 µs more
        // than sequential). Where this run's own items (warm-up included) were too short to have waited for anything
        // (AutoTuning.TinyItem: computation, whatever was measured), their time per item is the fresher evidence.
        // Only from as many items as the cached figures' half at least: a run of two items does not replace a sample of thousands.
        if (fromDecision && _controller.Plans is [{ FromCache: true }] && RanTooShortToWait(sinceDecision + _pool.Warmup) is { } own &&
            own.TotalItems * 2 >= decision.Sample.TotalItems)
        {
            fromDecision = false;
            sample = own;
        }

        // A cold first run can spend more time compiling the work than running it: its plan says little about the next
        // run, which starts warm, so it is not remembered. Seen two ways: batches that ran mostly while the process was
        // compiling (the compiling thread looks CPU-bound, threads waiting for that code look blocked or spin); and a
        // plan guessed from items still running at a time the process was mostly compiling, with no finished item since.
        var jitDuringRun = System.Runtime.JitInfo.GetCompilationTime(currentThread: false).Ticks - _controller.JitAtStart;
        var decidedFromRunningAfter = _controller.DecidedFromRunningAfter;
        var guessedWhileCompiling = fromDecision && decidedFromRunningAfter >= 0 && jitDuringRun * 2 >= decidedFromRunningAfter;
        if (AutoPlanner.Classify(sample, _options.ReportsExternalCpu) is WorkloadClass.Unknown || sample.TotalItems < 2 ||
            (total + _pool.Warmup).MostlyJit || guessedWhileCompiling)
        {
            return;
        }

        _cache.Put(_cacheKey, new PlanCacheEntry
        {
            Work = _job.WorkName,
            Machine = PlanCache.Machine,
            Class = AutoPlanner.Classify(sample, _options.ReportsExternalCpu).ToString(),
            InFlight = sample.MostlyInFlight,
            TimePerItemNs = sample.TimePerItem.TotalNanoseconds,
            CpuPerItemNs = sample.CpuTimePerItem.TotalNanoseconds,
            RunQueuePerItemNs = sample.MostlyInFlight ? 100.0 * sample.PendingRunQueueTicks / Math.Max(1, sample.PendingItems) : 0,
            AllocatedBytesPerItem = Math.Round(sample.AllocatedBytesPerItem, 1),
            MeasuredItems = sample.TotalItems,
            CpuGrowth = decision.CpuGrowth is { } growth ? Math.Round(growth, 2) : 0,
            Engine = decision.Engine,
            // A one-worker plan's re-check runs two workers for a window: the plan is one.
            Width = decision.NarrowedForGrowth ? decision.Width : _pool.Plan.Width,
            BatchSize = decision.BatchSize,
            Updated = _options.TimeProvider.GetUtcNow(),
        });
    }
}
