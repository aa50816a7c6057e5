using System.Text;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Testing;

/// <summary>
/// One schedule: the controlled flows of one run of the test body, each on a thread of its own, exactly one running at
/// a time. The running flow hands over at scheduling points — before every acquisition of a Brigade primitive, every
/// access to a tracked variable, a spawn, a join and a yield — and the strategy picks who runs next among the flows that
/// can: a flow that asks for a primitive it could not get now is not picked until it could (the explorer does the
/// waiting, so the primitive never blocks and every outcome is decided by the schedule alone).
/// </summary>
#pragma warning disable CA1001 // The event and the gates never hold OS handles (WaitHandle is never read); a schedule's threads may outlive it after a hang.
internal sealed class Schedule : ISynchronizationObserver, ITrackedAccessScheduler
#pragma warning restore CA1001
{
    [ThreadStatic]
    private static ControlledTask? t_task;

    // Guards _tasks, _running, _steps, _bug and _aborted. A leaf: flows are woken after it is released.
    private readonly Lock _gate = new();
    private readonly List<ControlledTask> _tasks = [];
    private readonly IStrategy _strategy;
    private readonly int _maxSteps;
    private readonly RaceDetector? _detector;
    private readonly ManualResetEventSlim _finished = new();
    private int _steps;
    private int _live;
    private int _lastPicked = -1;
    private volatile bool _aborted;

    public Schedule(IStrategy strategy, int maxSteps, RaceDetector? detector)
    {
        _strategy = strategy;
        _maxSteps = maxSteps;
        _detector = detector;
    }

    public (ExplorationBugKind Kind, string Message)? Bug { get; private set; }

    public int Steps => _steps;

    /// <summary>Runs the body as the first flow and waits for every flow to end (or the timeout: a hang).</summary>
    public bool Run(Action<ExplorationContext> body, TimeSpan timeout)
    {
        var context = new ExplorationContext(this);
        ControlledTask main;
        lock (_gate)
        {
            main = CreateLocked(() => body(context), "main", parentFlow: null);
        }

        Start(main);
        main.Gate.Release();
        if (!_finished.Wait(timeout))
        {
            lock (_gate)
            {
                SetBugLocked(ExplorationBugKind.Hang, $"Hang detected: the schedule did not finish within {timeout.TotalSeconds:0.#} s: a flow blocked on something the explorer does not control (a plain lock, Task.Wait, a sleep, I/O).");
            }

            Abort();
            return false;
        }

        foreach (var task in _tasks)
        {
            task.Thread?.Join(timeout);
        }

        return true;
    }

    public ControlledTask Spawn(Action body, string? name)
    {
        var me = Current();
        ControlledTask child;
        lock (_gate)
        {
            child = CreateLocked(body, name ?? $"flow {_tasks.Count}", me.Flow);
        }

        Start(child);
        SchedulePoint(me);
        return child;
    }

    public void Join(ControlledTask target)
    {
        var me = Current();
        me.JoinTarget = target;
        try
        {
            SchedulePoint(me);
        }
        finally
        {
            me.JoinTarget = null;
        }

        if (me.Flow is { } flow && target.Flow is { IsTracked: true } finished)
        {
            flow.Join(finished.Clock);
        }
    }

    public void Yield() => SchedulePoint(Current());

    public void OnAcquiring(SynchronizationPrimitive primitive, AccessMode mode) => OnAcquiring(primitive, mode, Timeout.InfiniteTimeSpan);

    public void OnAcquiring(SynchronizationPrimitive primitive, AccessMode mode, TimeSpan timeout)
    {
        if (t_task is not { } me || !ReferenceEquals(me.Schedule, this))
        {
            return;
        }

        SchedulePoint(me);

        // A wait the primitive would have to make is made here instead: this flow is not picked again until it could be
        // granted. A timeout never elapses under exploration (time is not controlled): a timed wait waits like an infinite one.
        while (timeout != TimeSpan.Zero && !primitive.WouldGrantNow(mode))
        {
            me.BlockedOn = primitive;
            me.BlockedMode = mode;
            try
            {
                SchedulePoint(me);
            }
            finally
            {
                me.BlockedOn = null;
            }
        }
    }

    public void OnWaiting(SynchronizationPrimitive primitive, AccessMode mode, Holder waiter)
    {
    }

    public void OnAcquired(SynchronizationPrimitive primitive, AccessMode mode, Holder holder)
    {
    }

    public void OnReleasing(SynchronizationPrimitive primitive, AccessMode mode, Holder holder)
    {
    }

    public void OnAccess(string variable, AccessKind kind)
    {
        if (t_task is { } me && ReferenceEquals(me.Schedule, this))
        {
            SchedulePoint(me);
        }
    }

    /// <summary>Records a bug found outside a flow's own code (a race report) and stops the schedule at the next point.</summary>
    public void Fail(ExplorationBugKind kind, string message)
    {
        lock (_gate)
        {
            SetBugLocked(kind, message);
        }

        Abort();
    }

    private ControlledTask Current() =>
        t_task is { } me && ReferenceEquals(me.Schedule, this)
            ? me
            : throw new InvalidOperationException("Spawn, Join and Yield must be called from a flow of the exploration (the test body or a flow it spawned).");

    private ControlledTask CreateLocked(Action body, string name, RaceFlow? parentFlow)
    {
        var task = new ControlledTask(this, _tasks.Count, name);
        if (_detector is not null)
        {
            task.Flow = parentFlow is null ? _detector.ForkFrom([], name) : _detector.Fork(parentFlow, name);
        }

        _strategy.OnNewTask(task);
        _tasks.Add(task);
        _live++;
        task.Thread = new Thread(() => RunTask(task, body))
        {
            IsBackground = true,
            Name = name,
        };
        return task;
    }

    private static void Start(ControlledTask task) => task.Thread!.UnsafeStart();

    private void RunTask(ControlledTask task, Action body)
    {
        t_task = task;
        RaceDetector.SetAsyncFlow(task.Flow);
        task.Gate.Wait();
        Exception? failure = null;
        try
        {
            if (!_aborted)
            {
                body();
            }
        }
        catch (ScheduleAbortedException)
        {
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            task.Flow?.Finish();
            Finish(task, failure);
            t_task = null;
        }
    }

    private void Finish(ControlledTask task, Exception? failure)
    {
        ControlledTask? next = null;
        var abort = false;
        lock (_gate)
        {
            task.Done = true;
            _live--;
            if (failure is not null && !_aborted)
            {
                SetBugLocked(ExplorationBugKind.AssertionFailure, $"Flow '{task.Name}' failed: {failure.GetType().Name}: {failure.Message}\n{failure.StackTrace}");
                abort = true;
            }
            else if (!_aborted && _live > 0)
            {
                var enabled = EnabledLocked();
                if (enabled.Count == 0)
                {
                    SetBugLocked(ExplorationBugKind.Deadlock, DescribeDeadlockLocked());
                    abort = true;
                }
                else
                {
                    ++_steps;
                    next = PickLocked(enabled, null);
                }
            }

            if (_live == 0)
            {
                _finished.Set();
            }
        }

        if (abort)
        {
            Abort();
        }

        next?.Gate.Release();
    }

    private void SchedulePoint(ControlledTask me)
    {
        if (_aborted)
        {
            throw new ScheduleAbortedException();
        }

        ControlledTask next;
        lock (_gate)
        {
            _steps++;
            if (_steps > _maxSteps)
            {
                SetBugLocked(ExplorationBugKind.Livelock, $"Livelock detected: the flows took {_maxSteps} scheduling steps without finishing, the last {_maxSteps - (_maxSteps / 10)} of them under a fair schedule (no progress within the bound): {string.Join(", ", _tasks.Where(t => !t.Done).Select(t => t.ToString()))} still running.");
                next = me;
            }
            else
            {
                var enabled = EnabledLocked();
                if (enabled.Count == 0)
                {
                    SetBugLocked(ExplorationBugKind.Deadlock, DescribeDeadlockLocked());
                    next = me;
                }
                else
                {
                    next = PickLocked(enabled, Enabled(me) ? me : null);
                }
            }
        }

        if (Bug is not null)
        {
            Abort();
            throw new ScheduleAbortedException();
        }

        if (!ReferenceEquals(next, me))
        {
            next.Gate.Release();
            me.Gate.Wait();
            if (_aborted)
            {
                throw new ScheduleAbortedException();
            }
        }
    }

    /// <summary>The strategy picks for the first tenth of the step bound; after that the schedule turns fair (round
    /// robin over the flows that can run), so a flow that spin-waits for another is not starved forever by the
    /// strategy's priorities. What still does not finish within the bound is a livelock under a fair schedule.</summary>
    private ControlledTask PickLocked(List<ControlledTask> enabled, ControlledTask? current)
    {
        if (_steps <= _maxSteps / 10)
        {
            return _strategy.Pick(enabled, current, _steps);
        }

        var after = current?.Id ?? _lastPicked;
        var next = enabled.FirstOrDefault(t => t.Id > after) ?? enabled[0];
        _lastPicked = next.Id;
        return next;
    }

    private List<ControlledTask> EnabledLocked()
    {
        var enabled = new List<ControlledTask>(_tasks.Count);
        foreach (var task in _tasks)
        {
            if (Enabled(task))
            {
                enabled.Add(task);
            }
        }

        return enabled;
    }

    private static bool Enabled(ControlledTask task) =>
        !task.Done
        && (task.JoinTarget is null || task.JoinTarget.Done)
        && (task.BlockedOn is not { } primitive || primitive.WouldGrantNow(task.BlockedMode));

    private string DescribeDeadlockLocked()
    {
        var text = new StringBuilder("Deadlock detected: every unfinished flow waits, and none of them can proceed:");
        foreach (var task in _tasks.Where(t => !t.Done))
        {
            text.Append('\n').Append("  ").Append(task);
            if (task.BlockedOn is { } primitive)
            {
                var holders = primitive.SnapshotHolders().Select(h => h.Describe()).ToList();
                text.Append(" waits for ").Append(primitive.Describe(task.BlockedMode))
                    .Append(holders.Count > 0 ? ", held by " + string.Join(", ", holders) : "");
            }
            else if (task.JoinTarget is { } target)
            {
                text.Append(" waits for flow ").Append(target).Append(" to finish");
            }
        }

        return text.ToString();
    }

    private void SetBugLocked(ExplorationBugKind kind, string message) => Bug ??= (kind, message);

    private void Abort()
    {
        _aborted = true;
        List<ControlledTask> tasks;
        lock (_gate)
        {
            tasks = [.. _tasks];
        }

        foreach (var task in tasks)
        {
            task.Gate.Release();
        }
    }

    private sealed class ScheduleAbortedException : Exception
    {
        public ScheduleAbortedException()
            : base("The exploration stopped this schedule.")
        {
        }
    }
}
