using System.Diagnostics;
using Brigade.Internal;

namespace Brigade.Auto;

/// <summary>
/// One auto-mode run: worker loops that follow the current plan, and a controller that samples, decides, and keeps
/// watching to re-plan.
/// </summary>
/// <remarks>
/// <para><b>Workers.</b> Loops run on the thread pool (<see cref="LoopKind.Task"/>) or on dedicated threads
/// (<see cref="LoopKind.Thread"/>). Before each batch a loop reads the plan: it leaves when the plan wants another
/// kind or fewer workers, and restarts its batch adaptation when the plan changed. A loop that takes a batch starts
/// one more loop while the plan's width allows, so width follows the plan within microseconds. Items are never
/// handed back: a plan change takes effect at batch boundaries, and every item's result is delivered once.</para>
/// <para><b>Controller.</b> One tick at a time (under <c>_controlGate</c>) makes every decision: every millisecond while
/// sampling, every <see cref="MonitorTick"/> afterwards. Workers run due ticks at batch boundaries; the
/// <see cref="AutoTicker"/> thread steps in only when no worker has for a while (items that block or run long).
/// Loops only read the published plan. See <c>docs/auto-mode.md</c> for the rules.</para>
/// <para><b>Completion.</b> The run is over when a loop has seen the end of the input (or the run stopping) and no
/// loop is left. A plan switch may briefly leave no loop running; the controller starts the new plan's first loop
/// right after publishing the plan, so the count only reaches zero for good once the input is exhausted.</para>
/// </remarks>
internal sealed class AutoRun<TIn, TOut> : IAutoController
{
    /// <summary>How often the controller looks while sampling.</summary>
    public static readonly TimeSpan ProbeTick = TimeSpan.FromMilliseconds(1);

    /// <summary>How often the controller looks once a plan runs.</summary>
    public static readonly TimeSpan MonitorTick = TimeSpan.FromMilliseconds(10);

    /// <summary>How long after a due tick the controller thread steps in when no worker has ticked (workers are stuck in long items).</summary>
    public static readonly TimeSpan WatchdogMonitorSlack = TimeSpan.FromMilliseconds(10);

    /// <summary>The shortest window the concurrency limiter judges...</summary>
    public static readonly TimeSpan AimdWindow = TimeSpan.FromMilliseconds(40);

    /// <summary>...and the fewest completed items in it.</summary>
    public const int AimdItems = 32;

    /// <summary>A window this clearly at odds with the plan re-plans at once: CPU ratio below this under a CPU plan...</summary>
    public const double ClearlyBlocking = 0.15;

    /// <summary>...or above this under a blocking or mixed plan.</summary>
    public const double ClearlyCpuBound = 0.9;

    /// <summary>A window is judged once it holds this many observations (batches or items in flight)...</summary>
    public const int MinWindowObservations = 8;

    /// <summary>...and spans this many monitor ticks.</summary>
    public const int MinWindowTicks = 2;

    /// <summary>The sample decides once this many items finished within <see cref="AutoEngineOptions.SampleTime"/>; with fewer, the items still running are measured instead.</summary>
    public const int MinSampleItems = 4;

    /// <summary>The most running batches the controller inspects per tick (each costs two ~3 µs reads).</summary>
    public const int MaxInspectedPerTick = 16;

    /// <summary>How many dedicated threads the controller starts itself when a plan for them is applied; the rest start by doubling.</summary>
    public const int EagerThreads = 32;

    /// <summary>Lock contentions per item since the plan at or above which running items of a CPU plan that stop using the
    /// CPU are taken to wait for each other's lock, not to have turned to I/O.</summary>
    public const double StallContentionsMin = 0.05;

    /// <summary>Without per-thread figures (not Linux), workers count as waiting when the process uses less than this share of a core per running worker.</summary>
    public const double ProcessCpuWaitingShare = 0.25;

    private readonly EngineJob<TIn, TOut> _job;
    private readonly AutoEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly int _cores;
    private readonly PlanCache? _cache;
    private readonly string _cacheKey = "";
    private readonly bool _serverGc;
    private readonly int _affordableThreads;

    // Guards _workers: loops register themselves from any thread while the controller enumerates them.
    private readonly Lock _workersGate = new();
    private readonly List<AutoWorker> _workers = [];

    private readonly int[] _active = new int[2];
    private readonly TaskCompletionSource _allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guards the controller state below against a tick still under way when the run finishes.
    private readonly Lock _controlGate = new();
    private bool _finished;
    private long _dueTimestamp;

    // Guards _warmup: the first batch of each of the first workers is set aside (JIT compilation, cold caches).
    private readonly Lock _warmupGate = new();
    private volatile ActivePlan _plan;
    private int _running;
    private int _done;
    private int _nextWorkerId;
    private WorkSample _warmup;

    // Controller state: touched only by the controller loop, then by RunAsync after the controller has stopped.
    private readonly List<AutoPlan> _plans = [];
    private Dictionary<int, ThreadSchedStat?>? _readers;
    private PlanDecision? _decision;
    private AimdLimiter? _limiter;
    private bool _decisionFromCache;
    private WorkSample _windowStart;
    private WorkSample _limiterStart;
    private long _limiterStartTimestamp;
    private WorkSample _sinceDecision;
    private long _windowStartTimestamp;
    private int _windowTicks;
    private WorkloadClass _pendingClass;
    private int _pendingKindChanges;
    private long _startTimestamp;
    private long _lastTickTimestamp;
    private long _lastTickItems;
    private long _lastProcessCpu;
    private volatile bool _widenedOnce;
    private int _waitingTicks;
    private int _stallTicks;
    private int _inspectCursor;
    private long _jitAtStart;
    private long _realStart;
    private long _decidedFromRunningAfter = -1;
    private LossProbe _locksAtStart;
    private bool _firstLooksOnly;
    private long _lastTickContentions;
    private bool _lookedTwice;

    // The CPU clock of each running batch the controller looked at, at its last look: a batch still running is judged by
    // what it did since then, not since it started (a sleeping item's first millisecond holds its call's compilation
    // and start-up, which on a 2 ms wall clock reads as a third of a core).
    private readonly Dictionary<AutoWorker, (long Seq, long Timestamp, long Cpu, long RunQueue)> _lastLook = [];

    public AutoRun(EngineJob<TIn, TOut> job, AutoEngineOptions options)
    {
        _job = job;
        _options = options;
        _time = options.TimeProvider;
        _cores = Math.Max(1, Environment.ProcessorCount);
        _serverGc = System.Runtime.GCSettings.IsServerGC;
        _affordableThreads = AutoThreads.Affordable(_cores);
        if (options.PlanCacheEnabled)
        {
            _cache = new PlanCache(options.PlanCacheDirectory ?? PlanCache.DefaultDirectory());
            // The label tells apart runs of one delegate that do different things (brigade run's commands).
            _cacheKey = PlanCache.KeyFor($"{job.WorkIdentity}{(job.IsAsyncWork ? " (async)" : "")}{(job.Options.Label is { } label ? " [" + label + "]" : "")}");
        }

        _plan = new ActivePlan(LoopKind.Task, 1, 1, AutoPlanner.TargetBatch, 0, Probing: true);
        _job.DegreeOfParallelism = _plan.Width;
    }

    public async Task RunAsync()
    {
        _startTimestamp = _lastTickTimestamp = _time.GetTimestamp();
        (_jitAtStart, _realStart) = (System.Runtime.JitInfo.GetCompilationTime(currentThread: false).Ticks, Stopwatch.GetTimestamp());
        _lastProcessCpu = ThreadSchedStat.IsSupported ? 0 : Environment.CpuUsage.TotalTime.Ticks;
        _locksAtStart = LossProbe.Read();

        if (_cache?.TryGet(_cacheKey) is { } cached && AutoPlanner.Decide(cached.ToSample(), Context(fromCache: true)) is { } fromCache)
        {
            _decisionFromCache = true;
            Apply(fromCache, revision: 0);
        }
        else
        {
            Launch(LoopKind.Task);
        }

        Volatile.Write(ref _dueTimestamp, Stopwatch.GetTimestamp() + Interval(_plan));
        AutoTicker.Register(this);
        try
        {
            await _allExited.Task.ConfigureAwait(false);
        }
        finally
        {
            lock (_controlGate)
            {
                _finished = true;
            }

            AutoTicker.Unregister(this);
        }

        Finish();
    }

    // The watchdog (the controller thread) only ticks when workers have not for one more interval: while workers
    // finish batches they run the ticks themselves, and a wake-up of another thread, which on a busy machine can
    // cost a worker its core for a whole scheduling round, is spared.
    public long DueTimestamp => Volatile.Read(ref _dueTimestamp) + WatchdogSlack(_plan);

    private static long Interval(ActivePlan plan) =>
        (long)((plan.Probing ? ProbeTick : MonitorTick).TotalSeconds * Stopwatch.Frequency);

    private static long WatchdogSlack(ActivePlan plan) =>
        (long)((plan.Probing ? ProbeTick : WatchdogMonitorSlack).TotalSeconds * Stopwatch.Frequency);

    // Called by workers after each batch: a timestamp comparison, and a tick when one is due and no one else is ticking.
    private void MaybeTick()
    {
        if (Stopwatch.GetTimestamp() < Volatile.Read(ref _dueTimestamp) || !_controlGate.TryEnter())
        {
            return;
        }

        try
        {
            TickLocked();
        }
        finally
        {
            _controlGate.Exit();
        }
    }

    private PlanContext Context(bool fromCache = false, string? note = null, bool finished = false) => new()
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
    };

    // ---------------------------------------------------------------- workers

    private void Launch(LoopKind kind)
    {
        var plan = _plan;
        if (plan.Kind != kind || kind == LoopKind.Isolated || Volatile.Read(ref _done) != 0)
        {
            return;
        }

        // The user's MaxDegreeOfParallelism is a hard ceiling on items running at once, also while workers of the
        // previous plan's kind finish their last batch; the plan's own width only bounds workers of its kind.
        var cap = _job.Options.MaxDegreeOfParallelism;
        ref var active = ref _active[(int)kind];
        while (true)
        {
            var current = Volatile.Read(ref active);
            if (current >= plan.Width || (cap is { } c && current + Volatile.Read(ref _active[1 - (int)kind]) >= c))
            {
                return;
            }

            if (Interlocked.CompareExchange(ref active, current + 1, current) == current)
            {
                break;
            }
        }

        Interlocked.Increment(ref _running);
        var worker = new AutoWorker(Interlocked.Increment(ref _nextWorkerId) - 1, kind, _time, _job.IsAsyncWork);
        lock (_workersGate)
        {
            _workers.Add(worker);
        }

        if (Volatile.Read(ref _done) != 0)
        {
            Exit(worker);
            return;
        }

        if (kind == LoopKind.Task)
        {
            _ = Task.Run(() => TaskLoopAsync(worker));
            return;
        }

        var thread = new Thread(() => ThreadLoop(worker)) { IsBackground = true, Name = $"brigade-auto-{worker.Id}" };
        Interlocked.Increment(ref AutoThreads.Live);
        try
        {
            thread.Start();
        }
        catch (Exception e)
        {
            // Out of threads or memory: the run goes on with the workers it has, and fails only if it has none.
            Interlocked.Decrement(ref AutoThreads.Live);
            if (Volatile.Read(ref _running) <= 1)
            {
                _job.Fail(e);
            }

            Exit(worker);
        }
    }

    // Each worker that takes a batch starts up to two more while the plan wants more: width doubles per generation
    // of workers (256 threads in 8 steps rather than 256), and stops growing the moment the input runs out.
    private void Grow(LoopKind kind)
    {
        if (Volatile.Read(ref _active[(int)kind]) < _plan.Width)
        {
            Launch(kind);
            Launch(kind);
        }
    }

    private async Task TaskLoopAsync(AutoWorker me)
    {
        try
        {
            ExternalCpuTime.Attach(me.Account);
            var worker = Attach(me);
            while (Keep(me, worker))
            {
                var batch = await _job.TakeBatchAsync(worker).ConfigureAwait(false);
                if (batch.IsEmpty)
                {
                    Volatile.Write(ref _done, 1);
                    break;
                }

                Grow(LoopKind.Task);
                me.CurrentBatchCount = batch.Count;
                var pending = _job.ExecuteBatchAsync(worker, batch);
                if (pending.IsCompleted)
                {
                    pending.GetAwaiter().GetResult();
                }
                else
                {
                    me.Returned();
                    await pending.ConfigureAwait(false);
                }

                Completed(me, batch.Count);
            }
        }
        catch (Exception e)
        {
            _job.Fail(e);
        }
        finally
        {
            Exit(me);
        }
    }

    private void ThreadLoop(AutoWorker me)
    {
        try
        {
            ExternalCpuTime.Attach(me.Account);
            var worker = Attach(me);
            while (Keep(me, worker))
            {
                var batch = _job.TakeBatch(worker);
                if (batch.IsEmpty)
                {
                    Volatile.Write(ref _done, 1);
                    break;
                }

                Grow(LoopKind.Thread);
                me.CurrentBatchCount = batch.Count;
                _job.ExecuteBatch(worker, batch);
                Completed(me, batch.Count);
            }
        }
        catch (Exception e)
        {
            _job.Fail(e);
        }
        finally
        {
            ThreadSchedStat.ReleaseCurrentThread();
            Interlocked.Decrement(ref AutoThreads.Live);
            Exit(me);
        }
    }

    private EngineWorker Attach(AutoWorker me)
    {
        var plan = _plan;
        var name = me.Kind == LoopKind.Thread ? $"auto thread {me.Id}" : $"auto worker {me.Id}";
        var worker = _job.CreateWorker(plan.TargetBatch, name);
        worker.Observer = me;
        return worker;
    }

    // Whether the loop goes on under the current plan; adapts its batches when the plan changed.
    private bool Keep(AutoWorker me, EngineWorker worker)
    {
        var plan = _plan;
        if (plan.Kind != me.Kind)
        {
            return false;
        }

        if (me.Generation != plan.Generation)
        {
            me.Generation = plan.Generation;
            worker.Retarget(plan.TargetBatch, plan.BatchSize);
        }

        ref var active = ref _active[(int)me.Kind];
        while (true)
        {
            var current = Volatile.Read(ref active);
            if (current <= plan.Width)
            {
                return true;
            }

            if (Interlocked.CompareExchange(ref active, current - 1, current) == current)
            {
                me.LeftByShrink = true;
                return false;
            }
        }
    }

    private void Completed(AutoWorker me, int count)
    {
        // The first batch of each worker that starts with the run pays for compiling the work (the workers race
        // through the same methods): it is kept aside, and used only when nothing else was measured.
        me.Complete(count, me.Id < _cores && !me.WarmedUp ? Divert : null);
        me.WarmedUp = true;

        // Measuring a batch (CPU clock and run-queue wait at both ends) costs a few microseconds. While sampling:
        // the first batch (its CPU clock only, see AutoWorker) and every batch after one of 25 µs or more (batches double, so the next lasts 50 µs or
        // more: measuring a batch of a few microseconds costs more than it tells). Afterwards: every fourth batch and
        // any after one of 250 µs or more. The choice is made before the batch starts, so the measured batches are
        // an unbiased subset (WorkSample).
        me.Measure = _plan.Probing
            ? me.LastBatchTicks >= TimeSpan.TicksPerMillisecond / 40
            : me.LastBatchTicks >= TimeSpan.TicksPerMillisecond / 4 || (me.BatchSeq & 3) == 3;
        if (!_widenedOnce && me.Id == 0)
        {
            WidenFromWorker();
        }

        MaybeTick();
    }

    private void Exit(AutoWorker me)
    {
        if (!me.LeftByShrink)
        {
            Interlocked.Decrement(ref _active[(int)me.Kind]);
        }

        me.Dispose();

        // A worker of a previous plan leaving may make room under the user's ceiling for the current plan's workers.
        if (me.Kind != _plan.Kind && Volatile.Read(ref _done) == 0)
        {
            Launch(_plan.Kind);
        }

        if (Interlocked.Decrement(ref _running) == 0 && Volatile.Read(ref _done) != 0)
        {
            _allExited.TrySetResult();
        }
    }

    private void EnsureWorkers()
    {
        var plan = _plan;
        if (plan.Kind != LoopKind.Isolated && Volatile.Read(ref _done) == 0 && Volatile.Read(ref _active[(int)plan.Kind]) < plan.Width)
        {
            Launch(plan.Kind);
        }
    }

    // Width and kind changes need no new generation: loops check both before every batch. A new generation (a new
    // decision) also makes them restart batch adaptation from the plan's batch size.
    private void SetPlan(ActivePlan plan)
    {
        _plan = plan;
        _job.DegreeOfParallelism = plan.Width;
        Launch(plan.Kind);
        if (plan.Kind == LoopKind.Thread && !plan.Probing)
        {
            // A wide plan for waiting items starts a first wave of threads at once: doubling alone takes a scheduling round
            // per generation, which on a busy machine is tens of milliseconds each (64 threads: six rounds).
            for (var n = 1; n < Math.Min(plan.Width, EagerThreads) && Volatile.Read(ref _active[(int)LoopKind.Thread]) < plan.Width; n++)
            {
                Launch(plan.Kind);
            }
        }
    }

    private List<AutoWorker> Workers()
    {
        lock (_workersGate)
        {
            return [.. _workers];
        }
    }

    // Every worker's totals, with the process's lock counters since the run started over the items that ran meanwhile.
    private WorkSample Totals()
    {
        var total = default(WorkSample);
        foreach (var w in Workers())
        {
            total += w.Totals;
        }

        var locks = LossProbe.Read().Since(_locksAtStart);
        return total with
        {
            LockContentions = locks.MonitorContentions,
            LockWaitTicks = locks.LockWaitTicks,
            LockItems = total.TotalItems + Warmup().TotalItems,
        };
    }

    // ---------------------------------------------------------------- controller

    private WorkSample Warmup()
    {
        lock (_warmupGate)
        {
            return _warmup;
        }
    }

    private bool Divert(WorkSample sample)
    {
        lock (_warmupGate)
        {
            _warmup += sample;
        }

        return true;
    }

    public void Tick()
    {
        lock (_controlGate)
        {
            TickLocked();
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

        Volatile.Write(ref _dueTimestamp, Stopwatch.GetTimestamp() + Interval(_plan));
    }

    private void TickCore()
    {
        var now = _time.GetTimestamp();
        var total = Totals();

        if (_plan.Probing)
        {
            ProbeStep(now, total);
        }
        else if (_options.Adaptive)
        {
            MonitorStep(now, total);
        }

        EnsureWorkers();
        _lastTickTimestamp = now;
        _lastTickItems = total.TotalItems;
        _lastTickContentions = total.LockContentions;
    }

    private void ProbeStep(long now, WorkSample total)
    {
        var plan = _plan;
        var elapsed = _time.GetElapsedTime(_startTimestamp, now);

        if (!_widenedOnce)
        {
            FirstWiden(total);
            return;
        }

        // Enough: the full sample, or the sample time with a few items, or a few items that leave no doubt (items
        // sleeping 99% of their time need no twentieth millisecond to be recognized).
        var clear = total.TotalItems >= MinSampleItems && (total.MostlyInFlight || total.MeasuredBatches >= 2) &&
            (total.CpuRatio < ClearlyBlocking || (total.CpuRatio > ClearlyCpuBound && !total.MostlyInFlight));
        var enough = (total.Batches + total.PendingItems >= 2 && total.TotalItems >= _options.SampleItems)
            || (elapsed >= _options.SampleTime && total.TotalItems >= MinSampleItems)
            || (clear && elapsed >= 2 * ProbeTick);
        if (enough && AutoPlanner.Decide(total, Context()) is { } decision)
        {
            Apply(decision, revision: 0);
            return;
        }

        var running = WithLocks(Inspect(now, out var inFlight, out var stalled), total, stalled);
        var stuck = stalled > 0 && total.TotalItems == _lastTickItems;
        var waiting = stuck && IsWaiting(running, inFlight, stalled, now);

        // Items blocked on each other's lock are as stuck as sleeping ones, but widening would only queue more at the lock.
        var serialized = stuck && !waiting && running is { } locked && AutoPlanner.Classify(locked) == WorkloadClass.Serialized;
        _waitingTicks = waiting || serialized ? _waitingTicks + 1 : 0;

        // Every running item has waited for two ticks in a row and hardly any has finished: waiting for them to
        // finish would only waste the time auto mode exists to save (64 one-second sleeps, two at a time).
        var stillRunning = Context(note: "decided from items still running") with { NotWholeJob = true, FromRunningItems = true };
        if (_options.ReportsExternalCpu)
        {
            // Running items say nothing yet about the CPU they cause elsewhere: wait, at the core count, for finished ones.
            if (elapsed >= _options.SampleTime && total.TotalItems > 0 && AutoPlanner.Decide(total, Context()) is { } finished)
            {
                Apply(finished, revision: 0);
            }

            return;
        }

        // Two looks at the same running batch are enough: the second covers only time the item spent waiting.
        if ((_waitingTicks >= 2 || (_waitingTicks >= 1 && _lookedTwice)) && total.TotalItems < MinSampleItems && running is { } blocked && !_firstLooksOnly &&
            AutoPlanner.Decide(blocked, stillRunning) is { } early)
        {
            Apply(early, revision: 0, fromFinishedItems: false);
            return;
        }

        if (elapsed >= _options.SampleTime)
        {
            // Out of sample time: the items that finished, however few (a whole item measured says more than part
            // of one); else what is still running (items far longer than the sample); else, late, the warm-up items.
            var measured = total.MostlyInFlight || total.MeasuredBatches > 0;
            var fromRunning = !measured && running is not null && !_firstLooksOnly;
            var late = measured ? AutoPlanner.Decide(total, Context())
                : fromRunning ? AutoPlanner.Decide(running!.Value, stillRunning)
                : elapsed >= 4 * _options.SampleTime ? AutoPlanner.Decide(total + Warmup(), Context())
                : null;
            if (late is not null)
            {
                Apply(late, revision: 0, fromFinishedItems: !fromRunning);
                return;
            }
        }

        // The running items wait but not for long enough to decide: widen the sample so that waits overlap meanwhile.
        if (waiting)
        {
            var kind = _job.IsAsyncWork ? LoopKind.Task : LoopKind.Thread;
            var cap = _job.IsAsyncWork ? _options.MaxConcurrency : Context().ThreadCeiling;
            var width = (int)Math.Min(Math.Min(Math.Min(plan.Width * 2L, cap), _job.Options.MaxDegreeOfParallelism ?? int.MaxValue), _job.ItemCount ?? long.MaxValue);
            if (width > plan.Width || kind != plan.Kind)
            {
                SetPlan(plan with { Kind = kind, Width = Math.Max(width, plan.Width) });
            }
        }
    }

    // The first millisecond runs on one worker: a job that small is decided before a second worker starts. The
    // first worker does this itself after a millisecond of work (so short jobs never wake the controller, whose
    // wake-up on a busy machine can cost the worker its core); the controller does it if that worker is stuck
    // in a long item.
    private void FirstWiden(WorkSample total)
    {
        _widenedOnce = true;
        var measured = total.Items > 0 ? total : Warmup();
        if (_job.ItemCount is not null && measured.Items > 0 && AutoPlanner.Decide(measured, Context()) is { Class: WorkloadClass.Tiny } tiny)
        {
            Apply(tiny, revision: 0);
            return;
        }

        var width = Math.Max(1, (int)Math.Min(Math.Min(_cores, _job.Options.MaxDegreeOfParallelism ?? int.MaxValue), _job.ItemCount ?? long.MaxValue));
        SetPlan(_plan with { Width = width });
    }

    private void WidenFromWorker()
    {
        if (_time.GetElapsedTime(_startTimestamp) < ProbeTick)
        {
            return;
        }

        lock (_controlGate)
        {
            if (!_finished && !_widenedOnce && _plan.Probing)
            {
                FirstWiden(Totals());
            }
        }
    }

    private void MonitorStep(long now, WorkSample total)
    {
        var decision = _decision!;
        var window = total - _windowStart;
        _windowTicks++;

        // A batch planned for CPU-bound items that now sits waiting: the work turned into blocking I/O mid-run.
        // Re-plan at once rather than after whole windows; its batches may take long to finish.
        if (decision.Kind == LoopKind.Task && !_job.IsAsyncWork)
        {
            // Inspect already skips batches that overlapped a garbage collection (whose pause is counted only when
            // it ends), so one check of clearly waiting batches is enough.
            var running = Inspect(now, out _, out var stalled);

            // Threads that start waiting for a lock contend on the way in; threads that start sleeping or reading do not.
            // Items of a CPU plan that wait on each other's lock are serialized: more threads would only queue there.
            // Under load a preempted lock holder stalls the others for whole ticks with no new contention: the plan's
            // finished items having contended now and then says the same (a monitor spins before it waits, so most
            // hand-overs of a lock that serializes CPU work at the cores' width are never counted).
            var sincePlan = total - _sinceDecision;
            var contended = total.LockContentions > _lastTickContentions ||
                (sincePlan.LockItems > 0 && sincePlan.ContentionsPerItem >= StallContentionsMin);
            // Every running batch must be seen waiting: one that could not be read (ready to run, its wait unknown) may be
            // a lock holder the others wait for.
            _stallTicks = stalled > 0 && !contended && running is { } r && r.Items >= stalled && r.CpuRatio < ClearlyBlocking ? _stallTicks + 1 : 0;
            if (_stallTicks >= 1 &&
                AutoPlanner.Decide(running!.Value, Context(note: Replanned(decision, "running items started waiting")) with { NotWholeJob = true }) is { } blocking)
            {
                Apply(blocking, revision: _plans.Count, fromFinishedItems: false);
                return;
            }
        }

        AutoTrace.Write?.Invoke($"window {window} ratio {window.CpuRatio:0.00}");
        var observations = window.Batches + window.PendingItems;
        if (window.MeasuredBatches == 0 && !window.MostlyInFlight)
        {
            // Nothing in the window was measured yet (measuring is every fourth batch): nothing to judge.
            return;
        }

        var clear = window.MeasuredBatches >= 2 && !window.MostlyInFlight && (
            (decision.MeasuredClass == WorkloadClass.CpuBound && window.CpuRatio < ClearlyBlocking) ||
            (decision.MeasuredClass is WorkloadClass.Blocking or WorkloadClass.Mixed && window.CpuRatio > ClearlyCpuBound));
        if (!clear && (observations < MinWindowObservations || _windowTicks < MinWindowTicks))
        {
            return;
        }

        _windowStart = total;
        _windowStartTimestamp = now;
        _windowTicks = 0;

        // Judge the window against the whole input: near the end, the few items left would otherwise cap the width.
        if (AutoPlanner.Decide(window, Context() with { ItemsDone = 0, NotWholeJob = true }) is not { } fresh)
        {
            return;
        }

        if ((fresh.Class != decision.Class || fresh.Kind != decision.Kind) && (decision.Class == WorkloadClass.Serialized || fresh.Class == WorkloadClass.Serialized))
        {
            // A serialized plan's single worker contends with nobody, so its windows cannot show the lock it avoids;
            // and a wide plan's contention counts say nothing of how long items waited (a lock taken for a log line
            // contends often at 500 threads). Only the sample, at a width of two or so, tells a serializing lock apart.
            return;
        }

        if (fresh.Class != decision.Class || fresh.Kind != decision.Kind)
        {
            // Two windows in a row must agree before the plan changes: one odd window (a GC, a noisy neighbour) does
            // not. A window that is clearly the other kind (items sleeping 99% of a CPU plan's batches) needs no second.
            if (clear && AutoPlanner.Decide(window, Context(note: Replanned(decision, "the work changed")) with { NotWholeJob = true }) is { } clearly)
            {
                Apply(clearly, revision: _plans.Count);
            }
            else if (_pendingClass == fresh.Class && ++_pendingKindChanges >= 2 &&
                AutoPlanner.Decide(window, Context(note: Replanned(decision, "the work changed")) with { NotWholeJob = true }) is { } replan)
            {
                Apply(replan, revision: _plans.Count);
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
        var plan = _plan;
        if (decision.Class == WorkloadClass.AsyncIo && _limiter is { } limiter)
        {
            // Throughput is noisy over a few items: the limiter judges its own, longer windows (AimdWindow, AimdItems).
            var span = total - _limiterStart;
            var spanSeconds = _time.GetElapsedTime(_limiterStartTimestamp, now).TotalSeconds;
            if (spanSeconds >= AimdWindow.TotalSeconds && span.PendingItems >= AimdItems)
            {
                _limiterStart = total;
                _limiterStartTimestamp = now;
                var limit = limiter.Update(span.PendingItems / spanSeconds, span.TimePerItem);
                if (limit != plan.Width)
                {
                    SetPlan(plan with { Width = limit });
                }
            }
        }
        else if (decision.Class is WorkloadClass.Blocking or WorkloadClass.Mixed && Math.Abs(fresh.Width - plan.Width) > Math.Max(1, plan.Width / 4))
        {
            // Little's law on the latest window: waits grow when a device saturates, and the width follows.
            SetPlan(plan with { Width = fresh.Width });
        }
    }

    private static string Replanned(PlanDecision from, string why) => $"re-planned: {why}, was {AutoFormat.ClassName(from.Class)}";

    private void Apply(PlanDecision decision, int revision, bool fromFinishedItems = true)
    {
        AutoTrace.Write?.Invoke($"apply r{revision} finished={fromFinishedItems} {decision.Explanation} :: {decision.Sample}");
        _decidedFromRunningAfter = fromFinishedItems ? -1 : Stopwatch.GetElapsedTime(_realStart).Ticks;
        var total = Totals();
        _decision = decision;
        _sinceDecision = total;
        _windowStart = total;
        _windowStartTimestamp = _time.GetTimestamp();
        _limiterStart = total;
        _limiterStartTimestamp = _windowStartTimestamp;
        _windowTicks = 0;
        _pendingClass = WorkloadClass.Unknown;
        _pendingKindChanges = 0;
        _stallTicks = 0;
        _plans.Add(decision.ToPlan(revision, _job.ItemsTaken, _decisionFromCache && revision == 0));
        _job.Plan = decision.Explanation;
        if (decision.Class == WorkloadClass.AsyncIo)
        {
            // The sample's latency and throughput anchor the limiter only when they come from finished items at the
            // sample's width; items still running give a lower bound, which would make every later window look congested.
            var floor = Math.Min(_cores, decision.Width);
            var ceiling = Math.Min(_options.MaxConcurrency, _job.Options.MaxDegreeOfParallelism ?? int.MaxValue);
            var seconds = _time.GetElapsedTime(_startTimestamp).TotalSeconds;
            _limiter = fromFinishedItems && revision == 0 && seconds > 0
                ? new AimdLimiter(decision.Width, floor, ceiling, decision.Sample.TimePerItem, decision.Sample.TotalItems / seconds, _plan.Width)
                : new AimdLimiter(decision.Width, floor, ceiling, TimeSpan.Zero);
        }

        SetPlan(new ActivePlan(decision.Kind, decision.Width, decision.BatchSize, decision.TargetBatch, _plan.Generation + 1, Probing: false));
    }

    // Looks at batches that have been running since at least the previous tick: their CPU and run-queue time since
    // they started (Linux, per thread, against the readings the worker took at the start), and how many are
    // asynchronous items in flight.
    private WorkSample? Inspect(long now, out int inFlight, out int stalled)
    {
        inFlight = 0;
        stalled = 0;
        var workers = Workers();
        var acc = default(WorkSample);
        var firstLooks = default(WorkSample);
        var inspected = 0;
        var oldest = now;
        var perItemBound = 1L;
        var pause = GC.GetTotalPauseDuration().Ticks;
        for (var n = 0; n < workers.Count && inspected < MaxInspectedPerTick; n++)
        {
            var w = workers[(_inspectCursor + n) % workers.Count];
            var since = w.InBatchSince;
            if (since == 0 || since > _lastTickTimestamp)
            {
                continue;
            }

            if (w.InFlight)
            {
                stalled++;
                inFlight++;
                oldest = Math.Min(oldest, since);
                continue;
            }

            // An asynchronous item before its first await shares its pool thread with other work: nothing to read.
            if (_job.IsAsyncWork)
            {
                continue;
            }

            stalled++;
            inspected++;
            oldest = Math.Min(oldest, since);
            perItemBound = Math.Max(perItemBound, _time.GetElapsedTime(since, now).Ticks / Math.Max(1, w.CurrentBatchCount));

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
            var runnable = reader?.IsRunnable();
            // A collection since the batch started may still be under way, its threads suspended and its pause not
            // yet counted: such a sample cannot tell a GC from I/O.
            if (w.BatchSeq != seq || w.InBatchSince != since || cpu0 < 0 || cpu < 0 || runnable is null || GC.CollectionCount(0) != gc0)
            {
                continue;
            }

            var wall = _time.GetElapsedTime(since, now).Ticks;
            var ranFor = Math.Max(0, cpu - cpu0);
            var queued = rq0 >= 0 && rq >= 0 ? Math.Max(0, rq - rq0) : 0;
            var seenBefore = _lastLook.TryGetValue(w, out var look) && look.Seq == seq && now > look.Timestamp;
            if (seenBefore)
            {
                wall = _time.GetElapsedTime(look.Timestamp, now).Ticks;
                ranFor = Math.Max(0, cpu - look.Cpu);
                queued = look.RunQueue >= 0 && rq >= 0 ? Math.Max(0, rq - look.RunQueue) : 0;
            }

            _lastLook[w] = (seq, now, cpu, rq);

            // The kernel adds a run-queue wait only once the thread runs again. A sleeping thread has no wait pending,
            // so its unexplained time was blocked. A thread ready to run now is queued for a core right now (its
            // pending wait is the unexplained time) or has slept most of the interval and just woken: a small
            // unexplained part is the former (on a busy machine it can still dwarf the thread's CPU share), a large
            // one says nothing and the sample is skipped.
            if (runnable == true)
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
                GcPauseTicks = Math.Clamp(pause - pause0, 0, wall),
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

        _firstLooksOnly = acc.Batches == 0;
        _lookedTwice = acc.Batches > 0;
        if (acc.Batches == 0)
        {
            acc = firstLooks;
        }

        _inspectCursor = workers.Count > 0 ? (_inspectCursor + inspected) % workers.Count : 0;
        if (acc.Batches == 0)
        {
            if (inFlight > 0 && inFlight == stalled)
            {
                // Asynchronous items in flight use no thread: their time so far is all waiting.
                return WorkSample.InFlightPerItem(inFlight, _time.GetElapsedTime(oldest, now), TimeSpan.Zero);
            }

            return null;
        }

        // The items are still running: a running batch's time so far, over its item count, bounds the time per item from below.
        var ratio = acc.CpuRatio;
        var perItem = TimeSpan.FromTicks(perItemBound);
        return WorkSample.FromPerItem(acc.Items, perItem, perItem * ratio);
    }

    // Running items with the process's lock counters: contentions since the run started, over the items finished and running.
    private static WorkSample? WithLocks(WorkSample? running, WorkSample total, int stalled) =>
        running is { } r
            ? r with { LockContentions = total.LockContentions, LockWaitTicks = total.LockWaitTicks, LockItems = total.LockItems + Math.Max(stalled, 1) }
            : null;

    private bool IsWaiting(WorkSample? running, int inFlight, int stalled, long now)
    {
        if (inFlight > 0 && inFlight == stalled)
        {
            return true;
        }

        if (running is { } r)
        {
            return AutoPlanner.Classify(r, _options.ReportsExternalCpu) == WorkloadClass.Blocking;
        }

        if (ThreadSchedStat.IsSupported)
        {
            return false;
        }

        // No per-thread figures: the whole process's CPU use stands in for the running workers'.
        var cpu = Environment.CpuUsage.TotalTime.Ticks;
        var used = cpu - _lastProcessCpu;
        _lastProcessCpu = cpu;
        var wall = _time.GetElapsedTime(_lastTickTimestamp, now).Ticks;
        return wall > 0 && used < wall * stalled * ProcessCpuWaitingShare;
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

    private void DisposeReaders()
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

    // ---------------------------------------------------------------- the end

    private void Finish()
    {
        DisposeReaders();
        var total = Totals();

        if (_decision is null)
        {
            // The input ended within the sample: describe the run with everything measured, now that its size is known.
            var measured = total.TotalItems > 0 ? total : Warmup();
            if (AutoPlanner.Decide(measured, Context(finished: true)) is not { } after)
            {
                _job.Plan = _job.ItemsTaken == 0 ? "nothing to plan: the input was empty" : "nothing to plan: no item finished";
                return;
            }

            _decision = after;
            _sinceDecision = default;
            _plans.Add(after.ToPlan(0, _job.ItemsTaken, fromCache: false));
        }

        var last = _plans[^1];
        var plan = _plan;
        var line = last.Explanation;
        if (_decision.Class == WorkloadClass.AsyncIo && plan.Width != _decision.Width)
        {
            line += $"; limit adapted {_decision.Width} → {plan.Width}";
        }
        else if (_decision.Kind == LoopKind.Thread && plan.Width != _decision.Width && plan.Kind == LoopKind.Thread)
        {
            line += $"; width adapted {_decision.Width} → {plan.Width}";
        }

        // Issue 18 (Reporting's, not auto mode's): the speedup the first plan's sample forecasts, beside which the report measures it.
        line += Reporting.SpeedupForecast.PlanNote(_plans[0], _job.ItemCount ?? _job.ItemsTaken);

        _job.Plan = line;
        _job.AutoPlans = _plans;
        _job.DegreeOfParallelism = plan.Width;
        Remember(total - _sinceDecision);
    }

    private void Remember(WorkSample sinceDecision)
    {
        if (_cache is null || _decision is null)
        {
            return;
        }

        var fromDecision = sinceDecision.TotalItems < _decision.Sample.TotalItems;
        var sample = fromDecision ? _decision.Sample : sinceDecision;

        // A cold first run can spend more time compiling the work than running it: its plan says little about the next
        // run, which starts warm, so it is not remembered. Seen two ways: batches that ran mostly while the process was
        // compiling (the compiling thread looks CPU-bound, threads waiting for that code look blocked or spin); and a
        // plan guessed from items still running at a time the process was mostly compiling, with no finished item since.
        var jitDuringRun = System.Runtime.JitInfo.GetCompilationTime(currentThread: false).Ticks - _jitAtStart;
        var guessedWhileCompiling = fromDecision && _decidedFromRunningAfter >= 0 && jitDuringRun * 2 >= _decidedFromRunningAfter;
        if (AutoPlanner.Classify(sample, _options.ReportsExternalCpu) is WorkloadClass.Unknown || sample.TotalItems < 2 ||
            (Totals() + Warmup()).MostlyJit || guessedWhileCompiling)
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
            AllocatedBytesPerItem = Math.Round(sample.AllocatedBytesPerItem, 1),
            MeasuredItems = sample.TotalItems,
            Engine = _decision.Engine,
            Width = _plan.Width,
            BatchSize = _decision.BatchSize,
            Updated = _time.GetUtcNow(),
        });
    }
}
