using System.Diagnostics;

namespace Brigade.Processes.Internal;

/// <summary>
/// The worker processes of one engine: idle ones wait between runs for a run of the same assembly; runs take them
/// out while they work and give them back, or discard them when they die.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly ProcessEngineOptions _options;
    private readonly Timer? _idleTimer;

    // Guards _idle, _all, _disposed and the counters below.
    private readonly Lock _gate = new();
    private readonly List<WorkerProcess> _idle = [];
    private readonly HashSet<WorkerProcess> _all = [];
    private bool _disposed;
    private long _started;
    private long _crashes;
    private long _timeouts;
    private long _recycled;
    private long _retried;
    private long _isolated;
    private TimeSpan _totalStartup;
    private TimeSpan? _lastStartup;

    // Warm-ups in progress by assembly, and a signal completed (and replaced) whenever a worker goes idle: a run that
    // finds no idle worker while the pool is warming up waits for the next one rather than starting more.
    private readonly Dictionary<string, Task> _warming = [];
    private TaskCompletionSource _workerIdle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WorkerPool(ProcessEngineOptions options)
    {
        _options = options;
        if (options.IdleTimeout is { } idle)
        {
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, idle.Ticks / 4));
            // Weakly: a timer is rooted until disposed, and would otherwise keep the pool of an engine nobody disposed.
            _idleTimer = Brigade.Internal.DetachedContext.CreateTimer(
                static state =>
                {
                    if (((WeakReference<WorkerPool>)state!).TryGetTarget(out var pool))
                    {
                        pool.RetireIdle();
                    }
                },
                new WeakReference<WorkerPool>(this),
                period,
                period);
        }
    }

    // An engine nobody disposed: once it, and so its pool, is unreachable, no run can use these workers again (a run holds
    // its engine), and before this they stayed until the process exited (one or two more for every engine a service
    // created per request). They are stopped as Dispose stops them, off the finalizer thread: Dispose waits for each exit.
    ~WorkerPool()
    {
        ThreadPool.UnsafeQueueUserWorkItem(static pool => pool.Dispose(), this, preferLocal: false);
    }

    /// <summary>Takes an idle worker for the assembly, or starts one; <paramref name="warm"/> says which.</summary>
    /// <exception cref="OperationCanceledException">The run was cancelled before a worker was taken or started.</exception>
    public WorkerProcess Acquire(WorkerLauncher launcher, string assemblyPath, string? workName, out bool warm, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task idle, warming;
            lock (_gate)
            {
                if (!_warming.TryGetValue(assemblyPath, out var pending) || pending.IsCompleted || _idle.Any(w => w.AssemblyPath == assemblyPath))
                {
                    break;
                }

                (idle, warming) = (_workerIdle.Task, pending);
            }

            // Bounded by the warm-up itself (each of its workers either joins the pool or fails within StartTimeout), and
            // by the run: a cancelled run stops waiting at once (review 19).
            Task.WhenAny(idle, warming).Wait(cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();

        return AcquireNow(launcher, assemblyPath, workName, out warm, cancellationToken);
    }

    private WorkerProcess AcquireNow(WorkerLauncher launcher, string assemblyPath, string? workName, out bool warm, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                throw DisposedDuringTheRun();
            }

            for (var i = _idle.Count - 1; i >= 0; i--)
            {
                var candidate = _idle[i];
                if (candidate.AssemblyPath == assemblyPath)
                {
                    _idle.RemoveAt(i);
                    if (!candidate.HasExited)
                    {
                        warm = true;
                        return candidate;
                    }

                    _all.Remove(candidate);
                    candidate.Dispose();
                }
            }
        }

        warm = false;
        return StartNew(launcher, assemblyPath, workName, cancellationToken);
    }

    // Starts a worker for the assembly (not taken from the idle ones); a cancelled run stops waiting for a slow start-up
    // after its grace period (WorkerProcess.Start).
    private WorkerProcess StartNew(WorkerLauncher launcher, string assemblyPath, string? workName, CancellationToken cancellationToken)
    {
        WorkerProcess? evict = null;
        lock (_gate)
        {
            if (_disposed)
            {
                throw DisposedDuringTheRun();
            }


            // Room for a worker of this assembly: an idle worker of another assembly makes way.
            if (_all.Count >= _options.MaxWorkers && _idle.Count > 0)
            {
                evict = _idle[0];
                _idle.RemoveAt(0);
                _all.Remove(evict);
            }
        }

        evict?.Retire();
        var worker = WorkerProcess.Start(launcher, assemblyPath, workName, _options, cancellationToken);
        lock (_gate)
        {
            _started++;
            _totalStartup += worker.StartupTime;
            _lastStartup = worker.StartupTime;
            if (!_disposed)
            {
                _all.Add(worker);
                return worker;
            }
        }

        worker.Dispose();
        throw DisposedDuringTheRun();
    }

    /// <summary>What a run (or a warm-up) gets when the engine is disposed under it, wherever it notices: one wording
    /// (review 45: the pool threw the plain "Cannot access a disposed object" where the run said this).</summary>
    internal static ObjectDisposedException DisposedDuringTheRun() =>
        new(nameof(ProcessEngine), "The process engine was disposed during the run.");

    /// <summary>
    /// Starts a worker for the assembly on a thread of its own, as <see cref="Acquire"/> would on the caller's when it
    /// finds none idle: a run's first cold start begun before the run's loops exist (<see cref="ProcessRun{TIn, TOut}"/>).
    /// The task ends as that start would: the worker (not in the idle list; the caller owns it), or the exception; null
    /// when no thread could be had (the caller's loop then starts its worker itself, as it would have).
    /// </summary>
    public Task<WorkerProcess>? StartAhead(WorkerLauncher launcher, string assemblyPath, string? workName, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource<WorkerProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                started.SetResult(StartNew(launcher, assemblyPath, workName, cancellationToken));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "brigade-process-start",
        };

        // Short-lived, and it runs nothing of the caller's: no execution context to carry.
        try
        {
            thread.UnsafeStart();
        }
        catch (Exception e) when (e is ThreadStartException or OutOfMemoryException)
        {
            return null;
        }

        return started.Task;
    }

    /// <summary>Whether a run would find a worker for the assembly without starting one: one idle, or a warm-up under way.</summary>
    public bool HasIdleOrWarming(string assemblyPath)
    {
        lock (_gate)
        {
            return _idle.Any(w => w.AssemblyPath == assemblyPath) || (_warming.TryGetValue(assemblyPath, out var warming) && !warming.IsCompleted);
        }
    }

    /// <summary>Gives a healthy worker back for later runs.</summary>
    public void Return(WorkerProcess worker)
    {
        // The run is over: a frame buffer grown for its large results is not held by an idle worker (lib56, review 63).
        worker.TrimBuffers();
        lock (_gate)
        {
            if (!_disposed && !worker.HasExited && worker.KillReason == KillReason.None && _idle.Count < _options.MaxWorkers)
            {
                worker.IdleSince = Stopwatch.GetTimestamp();
                _idle.Add(worker);
                var signal = _workerIdle;
                _workerIdle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal.TrySetResult();
                return;
            }

            _all.Remove(worker);
        }

        worker.Retire();
    }

    /// <summary>Forgets a worker that died or broke the protocol, killing it if needed.</summary>
    public void Discard(WorkerProcess worker)
    {
        lock (_gate)
        {
            _all.Remove(worker);
        }

        worker.Dispose();
    }

    /// <summary>Retires a worker that reached its item count or memory ceiling.</summary>
    public void Recycle(WorkerProcess worker)
    {
        lock (_gate)
        {
            _all.Remove(worker);
            _recycled++;
        }

        worker.Retire();
    }

    public void CountCrash(bool timedOut)
    {
        lock (_gate)
        {
            if (timedOut)
            {
                _timeouts++;
            }
            else
            {
                _crashes++;
            }
        }
    }

    public void CountRetried(int items)
    {
        lock (_gate)
        {
            _retried += items;
        }
    }

    public void CountIsolated()
    {
        lock (_gate)
        {
            _isolated++;
        }
    }

    public int IdleCount(string assemblyPath)
    {
        lock (_gate)
        {
            return _idle.Count(w => w.AssemblyPath == assemblyPath);
        }
    }

    /// <summary>Gets how many bytes each idle worker's frame reader holds on to (a test's window on a run's end).</summary>
    internal IReadOnlyList<int> IdleReaderCapacities()
    {
        lock (_gate)
        {
            return _idle.Select(static w => w.ReaderCapacity).ToList();
        }
    }

    public IReadOnlyList<int> ProcessIds()
    {
        lock (_gate)
        {
            return [.. _all.Select(w => w.Pid)];
        }
    }

    public ProcessEngineStatistics Statistics()
    {
        lock (_gate)
        {
            return new ProcessEngineStatistics(
                _all.Count,
                _idle.Count,
                _started,
                _crashes,
                _timeouts,
                _recycled,
                _retried,
                _isolated,
                _lastStartup,
                _started > 0 ? _totalStartup / _started : null);
        }
    }

    /// <summary>Starts idle workers ahead of a run, in parallel; each joins the pool as soon as it is ready.</summary>
    public Task WarmUpAsync(WorkerLauncher launcher, string assemblyPath, string? workName, int count, CancellationToken cancellationToken)
    {
        var missing = count - IdleCount(assemblyPath);
        if (missing <= 0)
        {
            return Task.CompletedTask;
        }

        var starts = Enumerable.Range(0, missing)
            .Select(_ => Task.Run(() => Return(StartNew(launcher, assemblyPath, workName, CancellationToken.None)), cancellationToken))
            .ToArray();
        var all = Task.WhenAll(starts);
        lock (_gate)
        {
            _warming[assemblyPath] = _warming.TryGetValue(assemblyPath, out var earlier) && !earlier.IsCompleted ? Task.WhenAll(earlier, all) : all;
        }

        return all;
    }

    private void RetireIdle()
    {
        var limit = Stopwatch.GetTimestamp() - (long)(_options.IdleTimeout!.Value.TotalSeconds * Stopwatch.Frequency);
        List<WorkerProcess>? retired = null;
        lock (_gate)
        {
            for (var i = _idle.Count - 1; i >= 0; i--)
            {
                if (_idle[i].IdleSince < limit)
                {
                    (retired ??= []).Add(_idle[i]);
                    _all.Remove(_idle[i]);
                    _idle.RemoveAt(i);
                }
            }
        }

        retired?.ForEach(w => w.Retire());
    }

    /// <summary>Kills every worker, idle or busy; runs in progress fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        WorkerProcess[] all;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            all = [.. _all];
            _all.Clear();
            _idle.Clear();
        }

        _idleTimer?.Dispose();
        foreach (var worker in all)
        {
            worker.Kill(KillReason.Disposed);
        }

        foreach (var worker in all)
        {
            worker.ExitsWithin(TimeSpan.FromSeconds(2));
            worker.Dispose();
        }
    }
}
