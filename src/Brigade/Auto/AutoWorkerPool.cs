using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Auto;

/// <summary>
/// An auto-mode run's worker loops: they follow the published plan, and count items, batches and measurements.
/// </summary>
/// <remarks>
/// <para>Loops run on the thread pool (<see cref="LoopKind.Task"/>) or on dedicated threads
/// (<see cref="LoopKind.Thread"/>). Before each batch a loop reads the plan: it leaves when the plan wants another
/// kind or fewer workers, and restarts its batch adaptation when the plan changed. A loop that takes a batch starts
/// up to two more while the plan's width allows, so width follows the plan within microseconds; a decided plan's
/// dedicated threads are started by a launcher thread instead, so that no loop holds the item it took while threads
/// start. Items are never handed back: a plan change takes effect at batch boundaries, and every item's result is delivered once.</para>
/// <para>After each batch a loop lets the controller tick when one is due (<see cref="AutoController{TIn, TOut}.MaybeTick"/>:
/// one timestamp comparison); the controller publishes plans with <see cref="SetPlan"/>.</para>
/// <para>The workers are counted here rather than by <see cref="Engines.WorkerGroup"/>: a group has a fixed limit
/// over its life and completes when its running count first reaches zero, while auto's width moves with the plan,
/// a loop retires when the plan shrinks, and a plan switch may briefly leave no loop running (the controller
/// starts the new plan's first loop right after publishing it), so the run is over only once a loop has seen the end
/// of the input (or the run stopping) and no loop is left.</para>
/// </remarks>
internal sealed class AutoWorkerPool<TIn, TOut>
{
    private readonly EngineJob<TIn, TOut> _job;
    private readonly AutoController<TIn, TOut> _controller;
    private readonly TimeProvider _time;
    private readonly int _cores;
    private readonly WarmupSample _warmup = new();

    // Which batches ran alone (the helper's too: a batch of the first worker beside it did not).
    private readonly BatchOverlap _overlap = new();
    private readonly Func<WorkSample, bool> _divert;

    // Guards _workers: loops register themselves from any thread while the controller enumerates them.
    private readonly Lock _workersGate = new();
    private readonly List<AutoWorker> _workers = [];

    // Workers holding a slot, per loop kind; a worker that leaves because the plan shrank gives its slot back itself.
    private readonly int[] _active = new int[2];
    private readonly TaskCompletionSource _allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ActivePlan _plan;
    private int _running;
    private int _done;

    // 1 while a launcher thread is launching (StartLauncher); launcher threads alive, each counted in _running; and whether a
    // thread failed to start (then the loops grow by themselves again).
    private int _launcher;
    private int _launcherThreads;
    private volatile bool _startFailed;
    private int _nextWorkerId;
    private long _contentionsAtStart;
    private long _startTimestamp;

    // Plain-lock waits timed inside the workers' batches (BatchLockWaits), from the moment timing covered them.
    private readonly bool _canTimeLocks = OperatingSystem.IsLinux() && PlainLockWaits.IsSupported;
    private readonly RunLockTiming _lockTiming = new();

    // The run's execution context (its caller's AsyncLocal values, Activity.Current), taken where the run starts: every
    // loop starts in it, whoever launches it (a worker, the launcher thread, the process-wide controller thread), so every
    // item sees its own caller's context (review 20: loops the controller launched ran with none, or another run's).
    private readonly ExecutionContext? _context = ExecutionContext.Capture();

    // A tiny job's helper (MaybeJoin): whether one was offered (JoinNone → JoinQueued, once), came in (JoinEntered), or the
    // offer was withdrawn before it came (JoinClosed); the plan it joins; its measurements; the least batch while it may help.
    private const int JoinNone = 0;
    private const int JoinQueued = 1;
    private const int JoinEntered = 2;
    private const int JoinClosed = 3;
    private readonly bool? _tinyJoin;
    private int _join;

    // The most items running at once, whatever the plan: the user's MaxDegreeOfParallelism, and one where no engine that runs
    // items at once is allowed (AutoEngineOptions.OneAtATime: review 65b, the sample ran two or more workers before then).
    private readonly int? _ceiling;
    private readonly bool _oneAtATime;
    private ActivePlan? _joinPlan;
    private AutoWorker? _helper;
    private long _joinMinBatch = 1;
    private long _joinMaxBatch = long.MaxValue;

    /// <param name="job">The run.</param>
    /// <param name="controller">The run's controller.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cores">The cores planned for.</param>
    /// <param name="tinyJoin">Whether a tiny job offers a pool thread to join it: null to decide by the job's rest and the pool's idle threads, true always (tests), false never.</param>
    /// <param name="oneAtATime">Whether items run one at a time whatever the plan (<see cref="AutoEngineOptions.OneAtATime"/>).</param>
    public AutoWorkerPool(EngineJob<TIn, TOut> job, AutoController<TIn, TOut> controller, TimeProvider time, int cores, bool? tinyJoin = null, bool oneAtATime = false)
    {
        _oneAtATime = oneAtATime;
        _ceiling = oneAtATime ? 1 : job.Options.MaxDegreeOfParallelism;
        _job = job;
        _controller = controller;
        _time = time;
        _cores = cores;
        _tinyJoin = tinyJoin;
        _divert = _warmup.Divert;
        _plan = new ActivePlan(LoopKind.Task, 1, 1, AutoPlanner.TargetBatch, 0, Probing: true);
        _job.DegreeOfParallelism = _plan.Width;
    }

    /// <summary>Gets the plan the loops follow.</summary>
    public ActivePlan Plan => _plan;

    /// <summary>Gets a task that completes once the input has ended (or the run stopped) and the last loop has left.</summary>
    public Task AllExited => _allExited.Task;

    /// <summary>Gets whether the items' plain-lock waits can be timed here (Linux, event sources supported).</summary>
    public bool CanTimeLocks => _canTimeLocks;

    /// <summary>Gets the run's plain-lock timing.</summary>
    public RunLockTiming LockTiming => _lockTiming;

    /// <summary>Gets the warm-up batches (see <see cref="WarmupSample"/>).</summary>
    public WorkSample Warmup => _warmup.Value;

    /// <summary>Gets the pool thread that joined a tiny job (see <see cref="MaybeJoin"/>), or null; not one of <see cref="Workers"/>.</summary>
    public AutoWorker? Helper => Volatile.Read(ref _helper);

    /// <summary>Takes the process's contention count the run's <see cref="Totals"/> count from.</summary>
    public void Start()
    {
        _contentionsAtStart = ContentionCount.ReadNow();
        _startTimestamp = _time.GetTimestamp();
        if (_canTimeLocks)
        {
            // Timing may be on already: it then covers the run from its first batch.
            _lockTiming.RunStarted();
        }
    }

    /// <summary>Starts one more loop of <paramref name="kind"/> when the plan wants more.</summary>
    /// <returns>Whether a loop was started.</returns>
    public bool Launch(LoopKind kind)
    {
        var plan = _plan;
        if (plan.Kind != kind || kind == LoopKind.Isolated || Volatile.Read(ref _done) != 0)
        {
            return false;
        }

        // The user's MaxDegreeOfParallelism (or one at a time: _ceiling) is a hard ceiling on items running at once, also
        // while workers of the previous plan's kind finish their last batch; the plan's own width only bounds workers of its kind.
        var cap = _ceiling;
        ref var active = ref _active[(int)kind];
        while (true)
        {
            var current = Volatile.Read(ref active);
            if (current >= plan.Width || (cap is { } c && current + Volatile.Read(ref _active[1 - (int)kind]) >= c))
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref active, current + 1, current) == current)
            {
                break;
            }
        }

        Interlocked.Increment(ref _running);
        AutoWorker? worker = null;
        try
        {
            worker = new AutoWorker(Interlocked.Increment(ref _nextWorkerId) - 1, kind, _time, _job.IsAsyncWork) { Overlap = _overlap };

            // Batches' bounds are kept from the first one (two clock reads): a worker's first wait for a lock may last its
            // whole first batch, and its event arrives after the controller has started watching the thread.
            worker.LockWaits.On = _canTimeLocks;
            lock (_workersGate)
            {
                _workers.Add(worker);
            }

            _lockTiming.Launched(worker);
        }
        catch (Exception e)
        {
            // Out of memory before the worker could run: its places are given back as when its thread cannot start, or the
            // run, counting a loop that never runs, would never end (review 18 S2).
            _startFailed = true;
            if (Volatile.Read(ref _running) - Volatile.Read(ref _launcherThreads) <= 1)
            {
                _job.Fail(e);
            }

            if (worker is not null)
            {
                Exit(worker);
            }
            else
            {
                Interlocked.Decrement(ref active);
                LeaveLoop();
            }

            return false;
        }

        if (Volatile.Read(ref _done) != 0)
        {
            Exit(worker);
            return false;
        }

        if (kind == LoopKind.Task)
        {
            InRunContext(() => _ = Task.Run(() => TaskLoopAsync(worker)));
            return true;
        }

        // The thread is made inside the try as well: a failure to make it (out of memory) must give the worker's place back
        // like a failure to start it, or the run, counting a worker that never runs, would never end (review 18 S2).
        Interlocked.Increment(ref AutoThreads.Live);
        try
        {
            var thread = new Thread(() => ThreadLoop(worker)) { IsBackground = true, Name = $"brigade-auto-{worker.Id}" };
            var cpu = AutoThreads.MeasuresStarts ? ThreadCpuTime.NowTicks() : -1;
            InRunContext(thread.Start);
            if (cpu >= 0)
            {
                AutoThreads.RecordStarter(ThreadCpuTime.NowTicks() - cpu);
            }

            return true;
        }
        catch (Exception e)
        {
            // Out of threads or memory: the run goes on with the workers it has, and fails only if it has none.
            Interlocked.Decrement(ref AutoThreads.Live);
            _startFailed = true;
            if (Volatile.Read(ref _running) - Volatile.Read(ref _launcherThreads) <= 1)
            {
                _job.Fail(e);
            }

            Exit(worker);
            return false;
        }
    }

    // Each worker that takes a batch starts up to two more while the plan wants more: width doubles per generation
    // of workers (256 threads in 8 steps rather than 256), and stops growing the moment the input runs out.
    // Dedicated threads of a decided plan are started by the launcher instead (StartLauncher), one after another as the
    // threads engine's workers start theirs: a worker that starts one waits in Thread.Start until the new thread runs, with
    // the item it took held meanwhile (the worker that starts the launcher holds its item for that one start).
    private void Grow(LoopKind kind)
    {
        var plan = _plan;
        if (kind == LoopKind.Thread && !plan.Probing && !_startFailed)
        {
            if (Volatile.Read(ref _launcher) == 0 && WantsThreads())
            {
                StartLauncher();
            }
        }
        else if (Volatile.Read(ref _active[(int)kind]) < plan.Width)
        {
            Launch(kind);
            Launch(kind);
        }
    }

    // Runs start (a Task.Run, a Thread.Start: both take the current context for what they start) in the run's context.
    private void InRunContext(Action start)
    {
        if (_context is null)
        {
            start();
            return;
        }

        ExecutionContext.Run(_context, static s => ((Action)s!)(), start);
    }

    // Starts the launcher thread unless one runs: it starts the dedicated threads a decided plan wants, one after another,
    // and leaves once the plan has them. Workers then no longer grow a decided plan by two each (the first wave, a worker
    // replacing one that left and the ticks still launch): each Thread.Start waits until the new thread runs, which while a wave of threads starts on a busy machine is tens of milliseconds, and a worker that grew
    // by two before running the item it took held that item as long (changes-halfway: 240 threads for 5 ms sleeps, items
    // running on a handful of them for ~100 ms while the rest started). Counted as a loop, so the run ends after it.
    private void StartLauncher()
    {
        if (Interlocked.CompareExchange(ref _launcher, 1, 0) != 0)
        {
            return;
        }

        Interlocked.Increment(ref _launcherThreads);
        Interlocked.Increment(ref _running);
        try
        {
            new Thread(LauncherLoop) { IsBackground = true, Name = "brigade-auto-launcher" }.Start();
        }
        catch (Exception)
        {
            // Out of threads or memory: the workers' own doubling and the controller's ticks still launch.
            _startFailed = true;
            Volatile.Write(ref _launcher, 0);
            Interlocked.Decrement(ref _launcherThreads);
            LeaveLoop();
        }
    }

    private void LauncherLoop()
    {
        try
        {
            // Until the plan has its threads (or wants none, or the run ends, or a start fails). The flag is let go with a full
            // fence before the plan is read again: a widening published meanwhile is either seen here, or finds the flag free
            // and starts another launcher. Launch and WantsThreads test the same conditions; a round that launched nothing
            // while threads are still wanted (a race with a plan change) is tried again a few times, then left to the workers.
            var idleRounds = 0;
            while (true)
            {
                var launched = false;
                while (Launch(LoopKind.Thread))
                {
                    launched = true;
                }

                idleRounds = launched ? 0 : idleRounds + 1;
                Interlocked.Exchange(ref _launcher, 0);
                if (_startFailed || idleRounds > 3 || !WantsThreads() || Interlocked.CompareExchange(ref _launcher, 1, 0) != 0)
                {
                    return;
                }
            }
        }
        catch (Exception e)
        {
            Volatile.Write(ref _launcher, 0);
            _job.Fail(e);
        }
        finally
        {
            Interlocked.Decrement(ref _launcherThreads);
            LeaveLoop();
        }
    }

    // Whether a decided plan wants more dedicated threads than it has, within the user's ceiling (as Launch counts it), while
    // items are left to take.
    private bool WantsThreads()
    {
        var plan = _plan;
        var threads = Volatile.Read(ref _active[(int)LoopKind.Thread]);
        return plan.Kind == LoopKind.Thread && !plan.Probing && Volatile.Read(ref _done) == 0 && threads < plan.Width &&
            !(_job.ItemCount is { } n && _job.ItemsTaken >= n) &&
            !(_ceiling is { } cap && threads + Volatile.Read(ref _active[(int)LoopKind.Task]) >= cap);
    }

    private async Task TaskLoopAsync(AutoWorker me)
    {
        try
        {
            ExternalCpuTime.Attach(me.Account);
            var worker = Attach(me);
            while (Keep(me, worker))
            {
                var batch = JoinOpen() ? await _job.TakeBatchAsync(worker, JoinBatch()).ConfigureAwait(false) : await _job.TakeBatchAsync(worker).ConfigureAwait(false);
                if (batch.IsEmpty)
                {
                    Volatile.Write(ref _done, 1);
                    break;
                }

                Grow(LoopKind.Task);
                me.CurrentBatchCount = batch.Count;

                // ExecuteBatchAsync takes the worker's wait sink off this thread when the batch returns, finished or not (a
                // batch finished by another thread's continuation before the check below never calls Returned()).
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
        if (AutoThreads.MeasuresStarts)
        {
            AutoThreads.RecordStarted(ThreadCpuTime.NowTicks());
        }

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
        worker.MeasureHook = me;
        worker.WaitSink = me.PrimitiveWaits;
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
        me.Complete(count, me.Id < _cores && !me.WarmedUp ? _divert : null);
        me.WarmedUp = true;

        // Measuring a batch (CPU clock and run-queue wait at both ends) costs a few microseconds. While sampling:
        // the first batch (its CPU clock only, see AutoWorker; Linux) and every batch after one of MinMeasuredBatch
        // (25 µs) or more (batches double, so the next lasts 50 µs or more: measuring a batch of a few microseconds costs
        // more than it tells). Afterwards: every fourth batch and any after one of LongBatch (250 µs) or more. The choice
        // is made before the batch starts, so the measured batches are an unbiased subset (WorkSample).
        // While sampling, not a batch that can only confirm what is known: see EndsTooShortToMatter.
        var probing = _plan.Probing;
        var tinyRest = probing && EndsTooShortToMatter(me.LastBatchTicks, count);
        me.Measure = probing
            ? me.LastBatchTicks >= AutoTuning.MinMeasuredBatch.Ticks && !tinyRest
            : me.LastBatchTicks >= AutoTuning.LongBatch.Ticks || (me.BatchSeq & 3) == 3;

        // An asynchronous item in flight reads its synchronous part's CPU clock while sampling, and then as often as a
        // measured batch (every fourth, and after a long synchronous part).
        me.MeasureInFlight = probing || me.Measure;
        if (probing && me.Id == 0 && Volatile.Read(ref _join) == JoinNone)
        {
            MaybeJoin(me, count, tinyRest);
        }

        // Only while sampling: a run that starts from a cached plan (or decides before widening) never widens, and
        // must not take the controller's lock after every batch of worker 0 for the rest of the run.
        if (probing && me.Id == 0 && !_controller.WidenedOnce)
        {
            _controller.WidenFromWorker();
        }

        _controller.MaybeTick();
    }

    // A synchronous job of known size whose items are too short to have waited (AutoTuning.TinyItem: blocking and waking a thread takes
    // longer), and whose rest, at the rate of the batch just finished, ends before the sample's first widening
    // (AutoTuning.ProbeTick): measuring its next batch (four system calls, ~11 µs on a VM where each costs 1.3–2 µs; 7%
    // of a 150 µs job) could only tell that the items compute, which unmeasured batches count as anyway (WorkSample.CpuRatio).
    // The end's plan (Tiny) is the same; its figures per item are wall times, as those of jobs whose batches all stay
    // under AutoTuning.MinMeasuredBatch.
    private bool EndsTooShortToMatter(long batchTicks, int count) =>
        !_job.IsAsyncWork && _job.ItemCount is { } n && count > 0 && batchTicks < count * AutoTuning.TinyItem.Ticks &&
        (double)Math.Max(0, n - _job.ItemsTaken) * batchTicks < (double)count * AutoTuning.ProbeTick.Ticks;

    // A tiny job's rest, on its first worker while sampling, when a pool thread could take half of it: the caller goes on
    // taking batches, and offers ONE work item that takes batches of the same job beside it (as Parallel.For's replicas
    // join its caller), without betting on it. Only when the rest is tiny (EndsTooShortToMatter: it ends within the sample's
    // first millisecond, so no plan will widen it) yet long enough to be worth a second thread (AutoTuning.TinyJoinRest),
    // and only where the pool has an idle thread and nothing queued: a cold pool is not woken into creating one (a thread's
    // start costs more than the whole rest), and a busy one would run the offer late. Until the offer is withdrawn or
    // taken, batches are half of what is left (guided, no smaller than a few microseconds of items), so whichever
    // comes finds work; if the helper comes after the caller took everything, it finds nothing and leaves at once.
    // The offer holds a place among the loops from the moment it is made, so the run cannot end while the helper runs:
    // either the helper takes that place (JoinQueued → JoinEntered) and gives it back when it leaves, or a loop leaving
    // withdraws the offer (JoinQueued → JoinClosed, Exit) and gives it back itself, and a helper that comes later touches nothing.
    private void MaybeJoin(AutoWorker me, int count, bool tinyRest)
    {
        if (_tinyJoin == false || _job.IsAsyncWork || _job.IsAsyncSource || _job.ItemCount is not { } n || _job.Options.BatchSize is not null ||
            _ceiling is not null || me.Kind != LoopKind.Task || count <= 0)
        {
            return;
        }

        var left = n - _job.ItemsTaken;
        if (left < 2)
        {
            return;
        }

        var ticks = Math.Max(1, me.LastBatchTicks);
        if (_tinyJoin != true && (_cores < 2 || !tinyRest || (double)left * ticks < (double)count * AutoTuning.TinyJoinRest.Ticks || !PoolHasIdleThread()))
        {
            return;
        }

        // The place is held before the offer is published: a loop that withdraws it gives back a place that exists.
        Interlocked.Increment(ref _running);
        _joinMinBatch = Math.Max(1, (long)((double)count * AutoTuning.TinyJoinBatch.Ticks / ticks));
        _joinMaxBatch = Math.Max(_joinMinBatch, (long)((double)count * AutoTuning.TinyJoinMaxBatch.Ticks / ticks));
        _joinPlan = _plan;
        if (Interlocked.CompareExchange(ref _join, JoinQueued, JoinNone) != JoinNone)
        {
            LeaveLoop();
            return;
        }

        // Queued in the run's execution context, which the helper's items see (review 20 T2: queued without one they saw
        // none of their caller's AsyncLocal values).
        InRunContext(() => ThreadPool.QueueUserWorkItem(static pool => pool.JoinAsHelper(), this, preferLocal: false));
    }

    // More idle pool threads (threads that exist but run no work item: spinning or waiting for work) than work items queued,
    // as the pool counts them: one is left for the offer, which then wakes it (or finds it spinning), never a new thread.
    private static bool PoolHasIdleThread()
    {
        ThreadPool.GetMaxThreads(out var max, out _);
        ThreadPool.GetAvailableThreads(out var available, out _);
        return ThreadPool.ThreadCount - (max - available) > ThreadPool.PendingWorkItemCount;
    }

    // Whether batches are taken for two: the offer stands or the helper is in, under the plan it joined.
    private bool JoinOpen()
    {
        var join = Volatile.Read(ref _join);
        return join is JoinQueued or JoinEntered && ReferenceEquals(_plan, _joinPlan);
    }

    // Half of what is left (guided scheduling for two), no less than a few microseconds of items.
    private int JoinBatch()
    {
        var left = (_job.ItemCount ?? 0) - _job.ItemsTaken;
        return (int)Math.Clamp(Math.Min(Math.Max(left / 2, _joinMinBatch), _joinMaxBatch), 1, int.MaxValue);
    }

    // The helper: comes in only if the offer still stands, then takes batches like the caller until the input ends or the
    // plan it joined changes (the new plan's loops take over). Its batches are not measured (items this short can only
    // compute), it is no warm-up (the caller compiled the work), and it is not one of the plan's loops (no slot, no
    // growth): it counts in the totals only.
    private void JoinAsHelper()
    {
        if (Interlocked.CompareExchange(ref _join, JoinEntered, JoinQueued) != JoinQueued)
        {
            return;
        }

        AutoWorker? me = null;
        try
        {
            var plan = _joinPlan;
            if (!ReferenceEquals(_plan, plan) || Volatile.Read(ref _done) != 0 || plan is null || _job.ItemsTaken >= _job.ItemCount)
            {
                return;
            }

            // Its plain-lock waits are not timed (LockWaits off): it is not watched, so nothing is left to unwatch.
            me = new AutoWorker(-1, LoopKind.Task, _time, _job.IsAsyncWork) { Measure = false, WarmedUp = true, Overlap = _overlap };
            Volatile.Write(ref _helper, me);
            ExternalCpuTime.Attach(me.Account);
            var worker = _job.CreateWorker(plan.TargetBatch, "auto helper");
            worker.MeasureHook = me;
            worker.WaitSink = me.PrimitiveWaits;
            while (ReferenceEquals(_plan, plan))
            {
                var batch = _job.TakeBatch(worker, JoinBatch());
                if (batch.IsEmpty)
                {
                    Volatile.Write(ref _done, 1);
                    break;
                }

                me.CurrentBatchCount = batch.Count;
                _job.ExecuteBatch(worker, batch);
                me.Complete(batch.Count);
                _controller.MaybeTick();
            }
        }
        catch (Exception e)
        {
            _job.Fail(e);
        }
        finally
        {
            me?.Dispose();
            LeaveLoop();
        }
    }

    // A loop leaving withdraws an offer the helper has not taken yet (and gives back the place it held).
    private void CloseJoin()
    {
        if (Interlocked.CompareExchange(ref _join, JoinClosed, JoinQueued) == JoinQueued)
        {
            LeaveLoop();
        }
    }

    private void Exit(AutoWorker me)
    {
        CloseJoin();
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

        LeaveLoop();
    }

    private void LeaveLoop()
    {
        if (Interlocked.Decrement(ref _running) == 0 && Volatile.Read(ref _done) != 0)
        {
            _allExited.TrySetResult();
        }
    }

    public void EnsureWorkers()
    {
        var plan = _plan;
        if (plan.Kind != LoopKind.Isolated && Volatile.Read(ref _done) == 0 && Volatile.Read(ref _active[(int)plan.Kind]) < plan.Width)
        {
            Launch(plan.Kind);
        }
    }

    // Width and kind changes need no new generation: loops check both before every batch. A new generation (a new
    // decision) also makes them restart batch adaptation from the plan's batch size.
    public void SetPlan(ActivePlan plan)
    {
        if (_oneAtATime && plan.Width > 1)
        {
            plan = plan with { Width = 1 };
        }

        _plan = plan;
        _job.DegreeOfParallelism = plan.Width;
        Launch(plan.Kind);
        if (plan.Kind == LoopKind.Thread && !plan.Probing)
        {
            // The launcher starts the rest, beside the first wave started here.
            if (!_startFailed && WantsThreads())
            {
                StartLauncher();
            }

            // A wide plan for waiting items starts a first wave of threads at once: doubling alone takes a scheduling round
            // per generation, which on a busy machine is tens of milliseconds each (64 threads: six rounds).
            for (var n = 1; n < Math.Min(plan.Width, AutoTuning.EagerThreads) && Volatile.Read(ref _active[(int)LoopKind.Thread]) < plan.Width; n++)
            {
                Launch(plan.Kind);
            }
        }
    }

    public List<AutoWorker> Workers()
    {
        lock (_workersGate)
        {
            return [.. _workers];
        }
    }

    // Every worker's totals, with the process's contention count since the run started and the workers' waits on Brigade's
    // primitives over the items that ran meanwhile, and the plain-lock waits timed on the workers' threads over their time
    // in batches since timing covered them. The contention count is read through ContentionCount: a tick comes every
    // millisecond while sampling, and a real read costs up to hundreds of microseconds in a process that ran thousands of
    // threads; the count read is then up to a millisecond old (the next tick has it). Once the run is over
    // (exact), a real read, so a short run that ends within its sample sees all of its contention.
    public WorkSample Totals(bool exact = false)
    {
        var now = _time.GetTimestamp();
        var total = default(WorkSample);
        var workers = Workers();
        var warmup = _warmup.Value;
        var busy = Busy(warmup, 0, now);
        var primitiveWaits = 0L;
        foreach (var w in workers)
        {
            var t = w.Totals;
            total += t;
            busy += Busy(t, w.InBatchSince, now);
            primitiveWaits += w.PrimitiveWaitTicks;
        }

        if (Helper is { } helper)
        {
            var t = helper.Totals;
            total += t;
            busy += Busy(t, helper.InBatchSince, now);
            primitiveWaits += helper.PrimitiveWaitTicks;
        }

        // A throttled reading may predate the start's real one: no contention yet, not a negative count.
        var contentions = (exact ? ContentionCount.ReadNow() : ContentionCount.Read()) - _contentionsAtStart;
        total = total with
        {
            LockContentions = Math.Max(0, contentions),
            LockWaitTicks = primitiveWaits,
            LockItems = total.TotalItems + warmup.TotalItems,
            LockBusyTicks = busy,
            LockElapsedTicks = _time.GetElapsedTime(_startTimestamp, now).Ticks,
        };
        if (!_canTimeLocks)
        {
            return total;
        }

        var plan = _plan;
        _lockTiming.Look(workers, plan.Kind);
        return _lockTiming.Timed(total, workers, plan.Probing);
    }

    /// <summary>Stops timing the workers' lock waits (the run is over).</summary>
    public void StopWatchingLocks() => _lockTiming.Stop(Workers());

    // A worker's time in batches: the finished ones (compiling included) and the one running so far.
    private long Busy(in WorkSample t, long inBatchSince, long now) =>
        t.WallTicks + t.JitTicks + t.PendingWallTicks + (inBatchSince != 0 && inBatchSince < now ? _time.GetElapsedTime(inBatchSince, now).Ticks : 0);
}
