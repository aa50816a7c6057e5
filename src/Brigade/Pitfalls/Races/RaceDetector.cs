using System.Diagnostics;
using System.Runtime.CompilerServices;
using Brigade.Synchronization;

namespace Brigade.Diagnostics;

/// <summary>
/// Finds data races on tracked variables (<see cref="Shared{T}"/>): two accesses, at least one a write, that no
/// synchronization ordered. Happens-before comes from Brigade's locks and semaphores (a release, then an acquisition of
/// the same primitive), Brigade's engines (an item's start follows the run's start; the run's end follows every item),
/// the tracked variables' atomic operations, flows started and joined through <see cref="Run(Action, string?)"/> and
/// <see cref="Joined(Task[])"/>, and explicit <see cref="HappensBefore"/>/<see cref="HappensAfter"/>.
/// </summary>
/// <remarks>
/// <para>The algorithm is FastTrack's (Flanagan and Freund, PLDI 2009): every flow has a vector clock; a variable keeps
/// the epoch (flow, time) of its last write and of its last read, and a full vector clock of reads only while reads are
/// concurrent. Most accesses cost a comparison of two integers under the variable's lock.</para>
/// <para>A flow is the current <em>logical flow</em> when there is one (started by <see cref="Run(Action, string?)"/>,
/// <see cref="EnterFlow"/>, an engine's worker or an exploration), otherwise the current thread. Synchronization that
/// Brigade does not see — <c>Task</c> completion and <c>await</c>, <c>Thread.Start</c>/<c>Join</c>, <c>lock</c>,
/// <c>SemaphoreSlim</c>, <c>Interlocked</c> on plain fields — orders nothing here: such code is reported unless it says
/// so with <see cref="HappensBefore"/>/<see cref="HappensAfter"/> or uses the flow APIs.</para>
/// <para>One detector is active in a process at a time; with none active, tracked variables cost one static read per access.</para>
/// </remarks>
/// <example>
/// <code>
/// using var detector = RaceDetector.Start();
/// var counter = new Shared&lt;long&gt;("counter");
/// await Task.WhenAll(RaceDetector.Run(Add), RaceDetector.Run(Add));   // two flows, each adding 1,000 times
/// void Add() { for (var i = 0; i &lt; 1000; i++) counter.Write(counter.Read() + 1); }
/// // PitfallDiagnostics.Default.Reports: "Data race detected on 'counter': a write by flow ... and an earlier write by ..."
/// </code>
/// </example>
public sealed class RaceDetector : IDisposable
{
    private const string OwnFrames = "   at Brigade.Diagnostics.";
    private const string SharedFrames = "   at Brigade.Synchronization.Shared";

    private static readonly AsyncLocal<RaceFlow?> AsyncFlow = new();
    private static readonly ConditionalWeakTable<Task, RaceFlow> TaskFlows = [];
    private static readonly Lock StartGate = new();
    private static RaceDetector? s_current;
    private static int s_nextFlowId;

    [ThreadStatic]
    private static RaceFlow? t_threadFlow;

    private readonly ConditionalWeakTable<object, SyncClock> _syncObjects = [];
    private readonly ConditionalWeakTable<SynchronizationPrimitive, SyncClock[]> _primitives = [];
    private readonly RaceObserver _observer;

    // Guards the slot table. A leaf.
    private readonly Lock _slotsGate = new();
    private readonly WeakReference<RaceFlow>?[] _slots;
    private readonly int[] _slotTimes;
    private int _slotsUsed;
    private long _untracked;
    private long _races;
    private int _disposed;

    private RaceDetector(RaceDetectorOptions options)
    {
        Diagnostics = options.Diagnostics ?? PitfallDiagnostics.Default;
        MaxFlows = options.MaxFlows;
        CaptureStackTraces = options.CaptureStackTraces;
        _slots = new WeakReference<RaceFlow>?[MaxFlows];
        _slotTimes = new int[MaxFlows];
        _observer = new RaceObserver(this);
    }

    /// <summary>Gets the active detector, or null.</summary>
    public static RaceDetector? Current => Volatile.Read(ref s_current);

    /// <summary>Gets the channel races are reported to.</summary>
    public PitfallDiagnostics Diagnostics { get; }

    /// <summary>Gets how many threads and flows are tracked at most at once.</summary>
    public int MaxFlows { get; }

    /// <summary>Gets whether every access records its stack trace.</summary>
    public bool CaptureStackTraces { get; }

    /// <summary>Gets how many races were reported (at most one per variable).</summary>
    public long RacesReported => Interlocked.Read(ref _races);

    /// <summary>Gets how many flow slots have been handed out (recycled slots count once).</summary>
    public int FlowSlotsUsed => Volatile.Read(ref _slotsUsed);

    /// <summary>Gets how many flows found every slot in use and were not tracked.</summary>
    public long FlowsUntracked => Interlocked.Read(ref _untracked);

    /// <summary>Starts detecting races in this process.</summary>
    /// <param name="options">The channel, flow bound and stack-trace capture; null for the defaults.</param>
    /// <returns>The detector; dispose it to stop.</returns>
    /// <exception cref="InvalidOperationException">A detector is already active.</exception>
    public static RaceDetector Start(RaceDetectorOptions? options = null)
    {
        var detector = new RaceDetector(options ?? new RaceDetectorOptions());
        lock (StartGate)
        {
            if (s_current is not null)
            {
                throw new InvalidOperationException("A race detector is already active in this process; dispose it before starting another.");
            }

            Volatile.Write(ref s_current, detector);
            TrackedAccess.Detector = detector;
        }

        ObserverHub.Add(detector._observer);
        return detector;
    }

    /// <summary>
    /// Starts <paramref name="body"/> on the thread pool as a new logical flow: what the caller did before is ordered
    /// before it. Call <see cref="Joined(Task[])"/> after waiting for the task to order its end before what follows.
    /// </summary>
    /// <param name="body">The flow's work.</param>
    /// <param name="name">A name for reports; defaults to <c>flow #N</c>.</param>
    /// <returns>The task of the flow.</returns>
    public static Task Run(Action body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var detector = Current;
        if (detector is null)
        {
            return Task.Run(body);
        }

        var flow = detector.Fork(detector.CurrentFlow(), name);
        var task = Task.Run(() =>
        {
            AsyncFlow.Value = flow;
            try
            {
                body();
            }
            finally
            {
                flow.Finish();
            }
        });
        TaskFlows.AddOrUpdate(task, flow);
        return task;
    }

    /// <summary>Starts asynchronous <paramref name="body"/> as a new logical flow (see <see cref="Run(Action, string?)"/>); the flow follows it across awaits.</summary>
    /// <param name="body">The flow's work.</param>
    /// <param name="name">A name for reports; defaults to <c>flow #N</c>.</param>
    /// <returns>The task of the flow.</returns>
    public static Task Run(Func<Task> body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var detector = Current;
        if (detector is null)
        {
            return Task.Run(body);
        }

        var flow = detector.Fork(detector.CurrentFlow(), name);
        var task = Task.Run(async () =>
        {
            AsyncFlow.Value = flow;
            try
            {
                await body().ConfigureAwait(false);
            }
            finally
            {
                flow.Finish();
            }
        });
        TaskFlows.AddOrUpdate(task, flow);
        return task;
    }

    /// <summary>Orders the end of flows started by <see cref="Run(Action, string?)"/> before what the current flow does next.
    /// Call it after the tasks completed (after <c>await Task.WhenAll(...)</c> or <c>Task.WaitAll</c>).</summary>
    /// <param name="tasks">Tasks returned by <see cref="Run(Action, string?)"/>; others are ignored.</param>
    public static void Joined(params Task[] tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (Current is not { } detector)
        {
            return;
        }

        var flow = detector.CurrentFlow();
        foreach (var task in tasks)
        {
            if (task is not null && TaskFlows.TryGetValue(task, out var child) && child.Finished && child.Detector == detector)
            {
                flow.Join(child.Clock);
            }
        }
    }

    /// <summary>
    /// Makes the calling async method (and what it awaits) one logical flow from here on, forked from the current flow,
    /// so it keeps its identity when it resumes on another thread. Call it directly in that method, not in a helper.
    /// </summary>
    /// <param name="name">A name for reports; defaults to <c>flow #N</c>.</param>
    public static void EnterFlow(string? name = null)
    {
        if (Current is { } detector)
        {
            AsyncFlow.Value = detector.Fork(detector.CurrentFlow(), name);
        }
    }

    /// <summary>Publishes what the current flow did so far through <paramref name="synchronizationObject"/>: a later
    /// <see cref="HappensAfter"/> on the same object is ordered after it (like releasing a lock).</summary>
    /// <param name="synchronizationObject">Any object that stands for the synchronization (a queue, an event, a task).</param>
    public static void HappensBefore(object synchronizationObject)
    {
        ArgumentNullException.ThrowIfNull(synchronizationObject);
        if (Current is { } detector && detector.CurrentFlow() is { IsTracked: true } flow)
        {
            detector._syncObjects.GetValue(synchronizationObject, static _ => new SyncClock()).Release(flow);
        }
    }

    /// <summary>Orders the current flow after every <see cref="HappensBefore"/> on <paramref name="synchronizationObject"/> so far (like acquiring a lock).</summary>
    /// <param name="synchronizationObject">The object passed to <see cref="HappensBefore"/>.</param>
    public static void HappensAfter(object synchronizationObject)
    {
        ArgumentNullException.ThrowIfNull(synchronizationObject);
        if (Current is { } detector && detector.CurrentFlow() is { IsTracked: true } flow && detector._syncObjects.TryGetValue(synchronizationObject, out var sync))
        {
            sync.Acquire(flow);
        }
    }

    /// <summary>Stops detecting: tracked variables go back to plain accesses.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        ObserverHub.Remove(_observer);
        lock (StartGate)
        {
            if (ReferenceEquals(s_current, this))
            {
                TrackedAccess.Detector = null;
                Volatile.Write(ref s_current, null);
            }
        }
    }

    internal static void SetAsyncFlow(RaceFlow? flow) => AsyncFlow.Value = flow;

    internal static RaceFlow? GetAsyncFlow() => AsyncFlow.Value;

    internal static string? UserFrames(StackTrace? trace)
    {
        if (trace is null)
        {
            return null;
        }

        var lines = trace.ToString().Split('\n');
        var first = 0;
        while (first < lines.Length && (lines[first].StartsWith(OwnFrames, StringComparison.Ordinal) || lines[first].StartsWith(SharedFrames, StringComparison.Ordinal)))
        {
            first++;
        }

        return string.Join('\n', lines, first, lines.Length - first).TrimEnd();
    }

    /// <summary>Gets the current flow: the logical flow if there is one, otherwise the thread's; merges posted joins.</summary>
    internal RaceFlow CurrentFlow()
    {
        var flow = AsyncFlow.Value;
        if (flow is null || flow.Detector != this || flow.Finished)
        {
            flow = t_threadFlow;
            if (flow is null || flow.Detector != this)
            {
                flow = t_threadFlow = NewFlow(null, ThreadName(), Thread.CurrentThread);
            }
        }

        flow.MergeInbox();
        return flow;
    }

    /// <summary>Forks a logical flow from <paramref name="parent"/>: the child starts ordered after the parent's past; the parent's time advances.</summary>
    internal RaceFlow Fork(RaceFlow parent, string? name)
    {
        var child = NewFlow(parent.IsTracked ? parent.Clock : null, FlowName(name), null);
        parent.Tick();
        return child;
    }

    /// <summary>Creates a logical flow that starts ordered after <paramref name="clock"/>.</summary>
    internal RaceFlow ForkFrom(int[] clock, string? name) => NewFlow(clock, FlowName(name), null);

    internal void RecordSlotTime(int slot, int time) => _slotTimes[slot] = time;

    internal void CountRace() => Interlocked.Increment(ref _races);

    /// <summary>Publishes a report outside every lock.</summary>
    internal void Report(RaceReport report)
    {
        CountRace();
        Diagnostics.Publish(report);
    }

    /// <summary>The clocks of a primitive: [0] for exclusive releases (lock, write, permit), [1] for read releases.</summary>
    internal SyncClock[] ClocksOf(SynchronizationPrimitive primitive) =>
        _primitives.GetValue(primitive, static _ => [new SyncClock(), new SyncClock()]);

    private static string ThreadName()
    {
        var thread = Thread.CurrentThread;
        return thread.Name is { } name ? $"thread '{name}' (#{Environment.CurrentManagedThreadId})" : $"thread #{Environment.CurrentManagedThreadId}";
    }

    private static string FlowName(string? name)
    {
        var id = Interlocked.Increment(ref s_nextFlowId);
        return name is null ? $"flow #{id}" : $"flow '{name}' (#{id})";
    }

    private RaceFlow NewFlow(int[]? parent, string name, Thread? thread)
    {
        lock (_slotsGate)
        {
            var slot = AllocateSlotLocked(out var start);
            if (slot < 0)
            {
                Interlocked.Increment(ref _untracked);
                return new RaceFlow(this, -1, [], name, thread);
            }

            var clock = new int[Math.Max(parent?.Length ?? 0, slot + 1)];
            parent?.CopyTo(clock, 0);
            clock[slot] = start;
            var flow = new RaceFlow(this, slot, clock, name, thread);
            _slots[slot] = new WeakReference<RaceFlow>(flow);
            _slotTimes[slot] = start;
            return flow;
        }
    }

    /// <summary>Finds a slot: a fresh one while any is left, else one whose flow finished (exited thread, ended or
    /// unreferenced flow). A recycled slot's time continues from where its last flow left it, so no epoch of the old
    /// flow can look like one of the new.</summary>
    private int AllocateSlotLocked(out int start)
    {
        if (_slotsUsed < _slots.Length)
        {
            start = 1;
            return _slotsUsed++;
        }

        for (var i = 0; i < _slots.Length; i++)
        {
            var reference = _slots[i];
            if (reference is null || !reference.TryGetTarget(out var old) || old.Finished || old.Thread is { IsAlive: false })
            {
                start = _slotTimes[i] + 1;
                return i;
            }
        }

        start = 0;
        return -1;
    }
}
