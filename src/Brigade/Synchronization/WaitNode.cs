using System.Threading.Tasks.Sources;

namespace Brigade.Synchronization;

/// <summary>
/// One waiting acquisition: a link of its primitive's FIFO queue, a vertex of the wait-for graph, and — for async
/// waits — the source of the <see cref="ValueTask{TResult}"/> the caller awaits.
/// </summary>
internal sealed class WaitNode : IValueTaskSource<LockScope>, IThreadPoolWorkItem
{
    private ManualResetValueTaskSourceCore<LockScope> _core;
    private int _state;
    private int _completed;
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;
    private bool _reportsDue;

    // An awaited wait's held inversion reports (LockOrderGraph.CommitPendingToWait): taken once, by its end or its grace timer.
    private readonly Lock _reportsGate = new();
    private object? _heldReports;
    private bool _reportsSettled;
    private ITimer? _reportsTimer;

    public WaitNode(SynchronizationPrimitive primitive, Holder holder, AccessMode mode, in CallSite site, ManualResetEventSlim? syncEvent, long startTimestamp, Holder[] identities)
    {
        PendingIdentities = identities;
        Primitive = primitive;
        Holder = holder;
        Mode = mode;
        Site = site;
        Event = syncEvent;
        StartTimestamp = startTimestamp;
        WaitSink = Internal.LockWaitSink.Current;
        _core.RunContinuationsAsynchronously = true;
    }

    public SynchronizationPrimitive Primitive { get; }

    /// <summary>Gets who will own the primitive once granted (and who waits, in reports).</summary>
    public Holder Holder { get; }

    public AccessMode Mode { get; }

    public CallSite Site { get; }

    /// <summary>Gets the event a blocking waiter sleeps on; null for an async wait.</summary>
    public ManualResetEventSlim? Event { get; }

    public long StartTimestamp { get; }

    /// <summary>Gets the worker's sink the wait counts for: the one of the batch that began it (an awaited wait ends on
    /// another thread), or null when it began outside one (see <see cref="Internal.LockWaitSink"/>).</summary>
    public Internal.LockWaitSink? WaitSink { get; }

    public bool IsAsync => Event is null;

    /// <summary>Gets the identities this wait registers in the wait-for graph: the holders whose primitives stay held
    /// while it waits. Empty when the waiter holds nothing (it cannot be part of a cycle and never touches the graph).</summary>
    public Holder[] PendingIdentities { get; }

    public bool InGraph => PendingIdentities.Length > 0;

    public short Version => _core.Version;

    public CancellationToken CancellationToken { get; set; }

    // Queue links and bookkeeping: guarded by the primitive's queue lock.
    public WaitNode? Previous { get; set; }

    public WaitNode? Next { get; set; }

    public long Serial { get; set; }

    public long GrantsAtStart { get; set; }

    public int AheadAtStart { get; set; }

    public bool StarvationReported { get; set; }

    /// <summary>Gets or sets the state; written under the primitive's queue lock, read anywhere.</summary>
    public WaitState State
    {
        get => (WaitState)Volatile.Read(ref _state);
        set => Volatile.Write(ref _state, (int)value);
    }

    // Wait-for graph registration: guarded by WaitForGraph.Gate.
    public Holder[]? Identities { get; set; }

    public bool Finished { get; set; }

    /// <summary>Gets or sets the ids of the held locks whose order into <see cref="Primitive"/> a deadlock report named
    /// while this wait was registered; null when none. Read by the waiting thread after <see cref="WaitForGraph.Finish"/>.</summary>
    public int[]? NamedHeld { get; set; }

    /// <summary>Gets or sets whether a blocking wait has lasted long enough to publish its pending inversion reports
    /// (set by its grace timer, read by the waiting thread).</summary>
    public bool ReportsDue
    {
        get => Volatile.Read(ref _reportsDue);
        set => Volatile.Write(ref _reportsDue, value);
    }

    /// <summary>Keeps an awaited wait's inversion reports until it ends or <paramref name="grace"/> passes; false if the
    /// wait already ended (the caller settles them).</summary>
    public bool HoldReports(object reports, TimeProvider time, TimeSpan grace)
    {
        lock (_reportsGate)
        {
            if (_reportsSettled)
            {
                return false;
            }

            _heldReports = reports;
            _reportsTimer = time.CreateTimer(static s => ((WaitNode)s!).SettleReports(), this, grace, Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    /// <summary>Publishes the held reports (see <see cref="HoldReports"/>), once; later calls find nothing.</summary>
    private void SettleReports()
    {
        object? reports;
        ITimer? timer;
        lock (_reportsGate)
        {
            _reportsSettled = true;
            reports = _heldReports;
            _heldReports = null;
            timer = _reportsTimer;
            _reportsTimer = null;
        }

        timer?.Dispose();
        if (reports is not null)
        {
            LockOrderGraph.SettleHeld(this, reports);
        }
    }

    /// <summary>Attaches the timeout timer, or disposes it if the wait already ended.</summary>
    public void AttachTimer(ITimer timer)
    {
        _timer = timer;
        if (Volatile.Read(ref _completed) != 0)
        {
            Interlocked.Exchange(ref _timer, null)?.Dispose();
        }
    }

    /// <summary>Attaches the cancellation registration, or removes it if the wait already ended.</summary>
    public void AttachCancellation(CancellationTokenRegistration registration)
    {
        _cancellation = registration;
        if (Volatile.Read(ref _completed) != 0)
        {
            _cancellation.Unregister();
        }
    }

    /// <summary>Ends an async wait with a scope (granted) or the default scope (timed out). Never under a lock.</summary>
    public void Complete(LockScope scope)
    {
        if (BeginCompletion())
        {
            _core.SetResult(scope);
        }
    }

    /// <summary>Ends an async wait with an exception (cancelled). Never under a lock.</summary>
    public void Fail(Exception exception)
    {
        if (BeginCompletion())
        {
            _core.SetException(exception);
        }
    }

    public LockScope GetResult(short token)
    {
        var scope = _core.GetResult(token);
        if (scope.IsAcquired)
        {
            // Runs in the awaiting flow, so the held chain it writes is the flow's own.
            Primitive.OnAsyncGrantObserved(this);
        }

        return scope;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>A woken async waiter retries on the thread pool, as a woken thread would.</summary>
    void IThreadPoolWorkItem.Execute() => Primitive.RetryWoken(this);

    private bool BeginCompletion()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        Interlocked.Exchange(ref _timer, null)?.Dispose();
        _cancellation.Unregister();
        if (InGraph)
        {
            WaitForGraph.Finish(this);
        }

        SettleReports();
        Primitive.RecordWait(this);
        return true;
    }
}
