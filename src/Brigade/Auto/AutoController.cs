using System.Diagnostics;

namespace Brigade.Auto;

/// <summary>
/// An auto-mode run's controller: one tick at a time samples, decides and keeps watching to re-plan, and publishes the
/// plan the worker loops follow (<see cref="AutoWorkerPool{TIn, TOut}"/>).
/// </summary>
/// <remarks>
/// <para>Ticks come every millisecond while sampling (<see cref="AutoProbe{TIn, TOut}"/>), every
/// <see cref="AutoTuning.MonitorTick"/> afterwards (<see cref="AutoMonitor{TIn, TOut}"/>). Workers run due ticks at batch
/// boundaries (<see cref="MaybeTick"/>); the <see cref="AutoTicker"/> thread steps in only when no worker has for a while
/// (items that block or run long). See <c>docs/auto-mode.md</c> for the rules.</para>
/// <para>Locks, in order: <c>_controlGate</c> (here) → the pool's <c>_workersGate</c> → each
/// <see cref="AutoWorker"/>'s totals; the <see cref="WarmupSample"/>'s is a leaf. No user item runs under any of them; a failure under <c>_controlGate</c>
/// cancels the run, so cancellation callbacks registered on the run's tokens may run there.</para>
/// </remarks>
internal sealed class AutoController<TIn, TOut> : IAutoController
{
    private readonly EngineJob<TIn, TOut> _job;
    private readonly AutoEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly int _cores;
    private readonly bool _serverGc;
    private readonly int _affordableThreads;
    private readonly BatchInspector _inspector;
    private readonly AutoProbe<TIn, TOut> _probe;
    private readonly AutoMonitor<TIn, TOut> _monitor;

    // Guards the state below against a tick still under way when the run finishes, and makes ticks one at a time.
    private readonly Lock _controlGate = new();
    private readonly List<AutoPlan> _plans = [];
    private bool _finished;
    private long _dueTimestamp;
    private PlanDecision? _decision;
    private bool _decisionFromCache;
    private WorkSample _sinceDecision;
    private long _startTimestamp;
    private long _lastTickTimestamp;
    private long _lastTickItems;
    private long _lastTickContentions;
    private long _jitAtStart;
    private long _realStart;
    private long _decidedFromRunningAfter = -1;

    /// <param name="job">The run.</param>
    /// <param name="options">Auto mode's options.</param>
    /// <param name="inspector">Reads the running batches.</param>
    /// <param name="cores">The cores to plan for (tests); the machine's by default.</param>
    public AutoController(EngineJob<TIn, TOut> job, AutoEngineOptions options, BatchInspector inspector, int? cores = null)
    {
        _job = job;
        _options = options;
        _time = options.TimeProvider;
        _cores = Math.Max(1, cores ?? Environment.ProcessorCount);
        _serverGc = System.Runtime.GCSettings.IsServerGC;
        _affordableThreads = AutoThreads.Affordable(_cores);
        _inspector = inspector;
        Pool = new AutoWorkerPool<TIn, TOut>(job, this, _time, _cores, options.TinyJoin, options.OneAtATime);
        _probe = new AutoProbe<TIn, TOut>(this, Pool, inspector, job, options, _cores);
        _monitor = new AutoMonitor<TIn, TOut>(this, Pool, inspector, job, options);
    }

    /// <summary>Gets the run's worker loops.</summary>
    public AutoWorkerPool<TIn, TOut> Pool { get; }

    // The watchdog (the controller thread) only ticks when workers have not for one more interval: while workers
    // finish batches they run the ticks themselves, and a wake-up of another thread, which on a busy machine can
    // cost a worker its core for a whole scheduling round, is spared.
    public long DueTimestamp => Volatile.Read(ref _dueTimestamp) + WatchdogSlack(Pool.Plan);

    /// <summary>Gets the decision the loops follow, or null while sampling.</summary>
    public PlanDecision? Decision => _decision;

    /// <summary>Gets every plan applied so far, the first one first.</summary>
    public IReadOnlyList<AutoPlan> Plans => _plans;

    /// <summary>Gets the run's totals when the current decision was applied.</summary>
    public WorkSample SinceDecision => _sinceDecision;

    /// <summary>Gets when the run started (<see cref="AutoEngineOptions.TimeProvider"/> timestamp).</summary>
    public long StartTimestamp => _startTimestamp;

    /// <summary>Gets when the last tick looked (<see cref="AutoEngineOptions.TimeProvider"/> timestamp).</summary>
    public long LastTickTimestamp => _lastTickTimestamp;

    /// <summary>Gets how many items had finished at the last tick.</summary>
    public long LastTickItems => _lastTickItems;

    /// <summary>Gets the process's lock contentions since the run started, at the last tick.</summary>
    public long LastTickContentions => _lastTickContentions;

    /// <summary>Gets the process's JIT compilation time (ticks) when the run started.</summary>
    public long JitAtStart => _jitAtStart;

    /// <summary>Gets how long after the start (ticks) the current plan was guessed from items still running, or -1.</summary>
    public long DecidedFromRunningAfter => _decidedFromRunningAfter;

    /// <summary>Gets whether the sample was widened past its first worker (see <see cref="AutoProbe{TIn, TOut}.FirstWiden"/>).</summary>
    public bool WidenedOnce => _probe.WidenedOnce;

    /// <summary>Takes the run's starting readings.</summary>
    public void Start()
    {
        _startTimestamp = _lastTickTimestamp = _time.GetTimestamp();
        (_jitAtStart, _realStart) = (System.Runtime.JitInfo.GetCompilationTime(currentThread: false).Ticks, Stopwatch.GetTimestamp());
        _inspector.Start();
        Pool.Start();
    }

    /// <summary>Starts the workers: under the remembered plan when it still decides, else the sample's first loop; and arms the first tick.</summary>
    public void Launch(PlanCacheEntry? cached)
    {
        if (cached is not null && AutoPlanner.Decide(cached.ToSample(), Context(fromCache: true) with { CpuGrowth = cached.CpuGrowth > 0 ? cached.CpuGrowth : null }) is { } fromCache)
        {
            _decisionFromCache = true;
            Apply(fromCache, revision: 0);
        }
        else
        {
            Pool.Launch(LoopKind.Task);
        }

        Volatile.Write(ref _dueTimestamp, Stopwatch.GetTimestamp() + Interval(Pool.Plan));
    }

    /// <summary>Stops ticking: a tick under way finishes first, and none starts after.</summary>
    public void Stop()
    {
        lock (_controlGate)
        {
            _finished = true;
        }
    }

    private static long Interval(ActivePlan plan) =>
        (long)((plan.Probing ? AutoTuning.ProbeTick : AutoTuning.MonitorTick).TotalSeconds * Stopwatch.Frequency);

    private static long WatchdogSlack(ActivePlan plan) =>
        (long)((plan.Probing ? AutoTuning.ProbeTick : AutoTuning.WatchdogMonitorSlack).TotalSeconds * Stopwatch.Frequency);

    // Called by workers after each batch: a timestamp comparison, and a tick when one is due and no one else is ticking.
    public void MaybeTick()
    {
        if (Stopwatch.GetTimestamp() >= Volatile.Read(ref _dueTimestamp))
        {
            TickFromWorker();
        }
    }

    // A worker's tick once it saw one due. Checked again under the lock: another worker (or the watchdog) may have ticked
    // since, and a second tick microseconds later would read running batches over too short a span (see Tick).
    internal void TickFromWorker()
    {
        if (!_controlGate.TryEnter())
        {
            return;
        }

        try
        {
            if (Stopwatch.GetTimestamp() >= Volatile.Read(ref _dueTimestamp))
            {
                TickLocked();
            }
        }
        finally
        {
            _controlGate.Exit();
        }
    }

    public PlanContext Context(bool fromCache = false, string? note = null, bool finished = false) => new()
    {
        Cores = _cores,
        Options = _options,
        MaxDegreeOfParallelism = _job.Options.MaxDegreeOfParallelism,
        BatchSize = _job.Options.BatchSize,
        ItemCount = finished ? _job.ItemsTaken : _job.ItemCount,
        ItemsDone = finished ? 0 : _job.Completed,
        FromCache = fromCache,
        Note = note,
        ServerGc = _serverGc,
        AffordableThreads = _affordableThreads,
        ThreadStartCost = AutoThreads.StartCost(),
    };

    // The watchdog's tick (AutoTicker). It saw the tick due before taking the lock; a worker may have ticked meanwhile
    // (MaybeTick), and a second tick right after would look at running batches over a few microseconds: too short to
    // tell computing from waiting (a CPU-bound item stopped that long by the runtime or a page fault reads as blocked).
    public void Tick()
    {
        lock (_controlGate)
        {
            if (Stopwatch.GetTimestamp() >= DueTimestamp)
            {
                TickLocked();
            }
        }
    }

    // The sample's first widening, by the first worker after a millisecond of work (see AutoProbe.FirstWiden).
    public void WidenFromWorker()
    {
        if (_time.GetElapsedTime(_startTimestamp) < AutoTuning.ProbeTick)
        {
            return;
        }

        lock (_controlGate)
        {
            if (!_finished && !_probe.WidenedOnce && Pool.Plan.Probing)
            {
                _probe.FirstWiden(Pool.Totals());
            }
        }
    }

    private void TickLocked()
    {
        if (_finished)
        {
            return;
        }

        try
        {
            TickCore();
        }
        catch (Exception e)
        {
            // A controller bug must not hang or silently change the run: fail it, and let the workers finish.
            _job.Fail(e);
            _finished = true;
        }

        Volatile.Write(ref _dueTimestamp, Stopwatch.GetTimestamp() + Interval(Pool.Plan));
    }

    private void TickCore()
    {
        var now = _time.GetTimestamp();
        var total = Pool.Totals();

        if (Pool.Plan.Probing)
        {
            _probe.Step(now, total);
        }
        else if (_options.Adaptive)
        {
            _monitor.Step(now, total);
        }

        Pool.EnsureWorkers();
        _lastTickTimestamp = now;
        _lastTickItems = total.TotalItems;
        _lastTickContentions = total.LockContentions;
    }

    /// <summary>Publishes a decision's plan; resets the monitor's windows to it.</summary>
    /// <param name="decision">The decision.</param>
    /// <param name="revision">0 for the first plan, else the number of plans before it.</param>
    /// <param name="fromFinishedItems">Whether the decision came from finished items (not from items still running).</param>
    public void Apply(PlanDecision decision, int revision, bool fromFinishedItems = true)
    {
        AutoTrace.Write?.Invoke($"apply r{revision} finished={fromFinishedItems} {decision.Explanation} :: {decision.Sample}");
        _decidedFromRunningAfter = fromFinishedItems ? -1 : Stopwatch.GetElapsedTime(_realStart).Ticks;
        var total = Pool.Totals();
        _decision = decision;
        _sinceDecision = total;
        _monitor.Restart(total, _time.GetTimestamp());
        _plans.Add(decision.ToPlan(revision, _job.ItemsTaken, _decisionFromCache && revision == 0, _job.SinceStart()));
        _job.Plan = decision.Explanation;
        if (decision.Class == WorkloadClass.AsyncIo)
        {
            // The sample's latency and throughput anchor the limiter only when they come from finished items at the
            // sample's width; items still running give a lower bound, which would make every later window look congested.
            var floor = Math.Min(_cores, decision.Width);
            // On dedicated threads (a list of engines without the task loops', AutoPlanner.Among) each item in flight holds a
            // thread: the limit grows no further than the threads auto mode may start.
            var ceiling = _options.OneAtATime ? 1 : Math.Min(_options.MaxConcurrency, _job.Options.MaxDegreeOfParallelism ?? int.MaxValue);
            ceiling = decision.Kind == LoopKind.Thread ? Math.Max(floor, Math.Min(ceiling, Context().ThreadCeiling)) : ceiling;
            var seconds = _time.GetElapsedTime(_startTimestamp).TotalSeconds;
            _monitor.Limit(fromFinishedItems && revision == 0 && seconds > 0
                ? new AimdLimiter(decision.Width, floor, ceiling, decision.Sample.TimePerItem, decision.Sample.TotalItems / seconds, Pool.Plan.Width)
                : new AimdLimiter(decision.Width, floor, ceiling, TimeSpan.Zero));
        }

        Pool.SetPlan(new ActivePlan(decision.Kind, decision.Width, decision.BatchSize, decision.TargetBatch, Pool.Plan.Generation + 1, Probing: false));
    }

    /// <summary>Records the decision made at the end, when the input ended within the sample (the controller has stopped).</summary>
    public void DecideAtEnd(PlanDecision after)
    {
        _decision = after;
        _sinceDecision = default;
        _plans.Add(after.ToPlan(0, _job.ItemsTaken, fromCache: false, _job.SinceStart()));
    }
}
