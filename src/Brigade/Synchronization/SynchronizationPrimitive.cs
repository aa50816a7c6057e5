using System.Diagnostics;
using Brigade.Diagnostics;
using Brigade.Internal;

namespace Brigade.Synchronization;

/// <summary>
/// The base of Brigade's pitfall-detecting synchronization primitives: <see cref="DetectingLock"/>,
/// <see cref="DetectingSemaphore"/> and <see cref="DetectingReaderWriterLock"/>.
/// </summary>
/// <remarks>
/// <para>Each primitive has a FIFO queue of waiters, blocking or asynchronous. A waiter that holds other primitives
/// joins the wait-for graph, and the wait that would close a cycle is refused with <see cref="DeadlockException"/> at
/// once. Nested acquisitions feed lock-order checking. Every release while someone waits checks how long the waiters
/// have waited and how often others were granted the primitive meanwhile (starvation).</para>
/// <para>Lock discipline: each primitive's queue lock guards its queue, its waiters' states and its holders; the one
/// global <c>WaitForGraph.Gate</c> guards wait registrations. Order: Gate, then a queue lock; nothing else is taken under
/// a queue lock. Waking a waiter, completing an awaited acquisition, publishing a report and calling an observer all
/// happen after the lock is released (see <c>Signals</c>), so no continuation or handler ever runs under it.</para>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public abstract class SynchronizationPrimitive
{
    private const int MaxStarvationChecks = 8;
    private const int MaxWakeScan = 16;
    private const int MaxWinners = 3;
    private const int MaxTrackedWinners = 4;

    private static readonly TimerCallback TimeoutCallback = static state => ((WaitNode)state!).Primitive.TimeOut((WaitNode)state!);
    private static readonly Action<object?> CancelCallback = static state => ((WaitNode)state!).Primitive.Cancel((WaitNode)state!);
    private static int s_nextId;

    /// <summary>
    /// Set once, by the first asynchronous acquisition in the process: until then no flow holds anything asynchronously,
    /// and synchronous acquisitions skip reading the AsyncLocal (see FlowState). Here, on a class that is initialized
    /// before any lock is used, so reading it needs no class-initialization check.
    /// </summary>
    internal static volatile bool AsyncAcquisitionsHappened;

    // Guards the queue (_head, _tail, each queued node's links, State and bookkeeping) and _winners; in the semaphore
    // and the reader/writer lock also their holders and counts. Order: WaitForGraph.Gate before it; nothing under it.
    private protected readonly Lock _queueLock = new();

    // Grants so far, the starvation clock ("granted N times to others"); in the semaphore and the reader/writer lock also
    // each scope's serial. They write it under _queueLock. DetectingLock counts only grants made while someone waits,
    // written by the new owner (no one else can write while it owns the lock).
    private protected long _grants;

    private readonly KeyValuePair<string, object?> _kindTag;
    private WaitNode? _head;
    private WaitNode? _tail;

    // Queued waiters. Changed only under _queueLock, with Interlocked so that DetectingLock's lock-free release (a full
    // fence, then this read) and a waiter's enqueue (this increment, then a CAS) cannot both miss each other.
    private int _queued;

    // Releases made while someone waited, by holder: who keeps winning. A few slots searched by reference (a dictionary
    // costs more than the lock hand-off it is counting); when full, the least frequent winner is replaced. Under
    // _queueLock; cleared when the queue empties.
    private Winner[]? _winners;
    private int _winnerCount;

    private protected SynchronizationPrimitive(string kind, string kindDisplay, LockOptions? options)
    {
        Id = Interlocked.Increment(ref s_nextId);
        KindDisplay = kindDisplay;
        Name = options?.Name ?? $"{kind}#{Id}";
        Fairness = options?.Fairness ?? LockFairness.Unfair;
        if (!Enum.IsDefined(Fairness))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Fairness, "unknown fairness");
        }

        DetectsPitfalls = options?.DetectPitfalls ?? true;
        Diagnostics = options?.Diagnostics ?? PitfallDiagnostics.Default;
        Time = Diagnostics.TimeProvider;
        _kindTag = new KeyValuePair<string, object?>(PitfallTelemetry.PrimitiveTag, kind);
    }

    /// <summary>Gets the name used in reports.</summary>
    public string Name { get; }

    /// <summary>Gets how the next owner is chosen.</summary>
    public LockFairness Fairness { get; }

    /// <summary>Gets whether this primitive detects deadlocks, lock-order inversions and starvation.</summary>
    public bool DetectsPitfalls { get; }

    /// <summary>Gets the channel this primitive reports to.</summary>
    public PitfallDiagnostics Diagnostics { get; }

    /// <summary>Gets how many acquisitions are waiting.</summary>
    public int WaitingCount => Volatile.Read(ref _queued);

    internal int Id { get; }

    /// <summary>
    /// Gets or sets where a woken async waiter's retry runs (default: the thread pool). A seam for schedulers that
    /// control interleavings (tests, systematic exploration): the retry runs when they execute the work item.
    /// </summary>
    internal Action<IThreadPoolWorkItem>? RetryScheduler { get; set; }

    internal string KindDisplay { get; }

    internal TimeProvider Time { get; }

    /// <summary>Gets the first queued waiter; under the queue lock.</summary>
    private protected WaitNode? QueueHeadLocked => _head;

    private string DebuggerDisplay => $"{DescribeSelf()}, {WaitingCount} waiting{(DetectsPitfalls ? "" : ", not detecting")}";

    /// <summary>Returns the primitive's kind and name, such as <c>lock 'accounts'</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => DescribeSelf();

    internal string DescribeSelf() => $"{KindDisplay} '{Name}'";

    /// <summary>Describes an acquisition of this primitive, such as <c>write lock on 'cache'</c>.</summary>
    internal abstract string Describe(AccessMode mode);

    /// <summary>Takes the primitive for <paramref name="holder"/> if it can be taken now; under the queue lock (DetectingLock: anywhere).</summary>
    internal abstract bool TryTake(Holder holder, AccessMode mode, out long serial);

    /// <summary>Gets whether an acquisition in <paramref name="mode"/> could be granted now; under the queue lock.</summary>
    internal abstract bool CouldTake(AccessMode mode);

    /// <summary>Gets whether an acquisition in <paramref name="mode"/> would be granted now without waiting (for a
    /// controlling scheduler, which runs one flow at a time).</summary>
    internal bool WouldGrantNow(AccessMode mode)
    {
        lock (_queueLock)
        {
            return CouldTake(mode) && (Fairness == LockFairness.Unfair || _head is null);
        }
    }

    /// <summary>Gets the current holders (for tests and diagnostics).</summary>
    internal abstract List<Holder> SnapshotHolders();

    /// <summary>Gets whether some holder of this primitive is registered as waiting in the wait-for graph (for tests).</summary>
    internal bool IsHolderBlocked() => SnapshotHolders().Exists(h => h.IsWaitingHint);

    /// <summary>Releases one grant; called by <see cref="LockScope.Dispose"/>.</summary>
    internal abstract void Release(Holder holder, long serial, AccessMode mode);

    /// <summary>Snapshots what a waiting node waits for, under the queue lock.</summary>
    /// <returns>False when the node no longer waits.</returns>
    internal bool SnapshotBlockers(WaitNode node, List<object> into, out bool anyOf)
    {
        lock (_queueLock)
        {
            anyOf = false;
            if (node.State is WaitState.Granted or WaitState.Abandoned)
            {
                return false;
            }

            CollectBlockersLocked(node, into, out anyOf);
            return true;
        }
    }

    /// <summary>Wakes (unfair) or completes (granted) a waiter; never under a lock.</summary>
    internal void Signal(WaitNode node)
    {
        if (!node.IsAsync)
        {
            node.Event!.Set();
        }
        else if (node.State == WaitState.Granted)
        {
            node.Complete(new LockScope(this, node.Holder, node.Serial, node.Mode));
        }
        else if (RetryScheduler is { } schedule)
        {
            schedule(node);
        }
        else
        {
            // Woken: the async waiter retries on the thread pool, competing like a woken thread would.
            ThreadPool.UnsafeQueueUserWorkItem(node, preferLocal: false);
        }
    }

    /// <summary>A woken async waiter's retry.</summary>
    internal void RetryWoken(WaitNode node)
    {
        var signals = default(Signals);
        var granted = false;
        lock (_queueLock)
        {
            if (node.State == WaitState.Woken)
            {
                if (TryTake(node.Holder, node.Mode, out var serial))
                {
                    Remove(node);
                    node.Serial = serial;
                    node.State = WaitState.Granted;
                    granted = true;
                    ProcessQueueLocked(null, ref signals, 0);
                }
                else
                {
                    node.State = WaitState.Queued;
                }
            }
        }

        signals.Send(this);
        if (granted)
        {
            node.Complete(new LockScope(this, node.Holder, node.Serial, node.Mode));
        }
    }

    /// <summary>An awaited acquisition completed and the awaiter resumed: record it in the awaiting flow.</summary>
    internal void OnAsyncGrantObserved(WaitNode node)
    {
        if (node.Holder is AsyncHolder flow)
        {
            flow.Serial = node.Serial;
            FlowState.Push(flow);
        }

        SynchronizationHooks.Observer?.OnAcquired(this, node.Mode, node.Holder);
    }

    internal void RecordWait(WaitNode node)
    {
        var waited = Time.GetElapsedTime(node.StartTimestamp);
        Telemetry.LockWaitDuration.Record(waited.TotalSeconds, _kindTag);
        LossProbe.AddLockWait(waited);
    }

    /// <summary>Adds what <paramref name="node"/> waits for: holders (and, fair reader/writer lock, nodes ahead).</summary>
    /// <param name="node">The waiting acquisition.</param>
    /// <param name="into">Receives <see cref="Holder"/>s and <see cref="WaitNode"/>s.</param>
    /// <param name="anyOf">True when any one blocker leaving frees the node (a permit); false when all must (a lock).</param>
    private protected abstract void CollectBlockersLocked(WaitNode node, List<object> into, out bool anyOf);

    /// <summary>The uncontended attempt. Default: under the queue lock, if no one is queued ahead (fair) or at all (unfair).</summary>
    private protected virtual bool TryTakeFast(Holder holder, AccessMode mode, out long serial)
    {
        lock (_queueLock)
        {
            if (Fairness == LockFairness.Unfair || _head is null)
            {
                return TryTake(holder, mode, out serial);
            }
        }

        serial = 0;
        return false;
    }

    /// <summary>Spins briefly before blocking. Default: no spinning.</summary>
    private protected virtual bool SpinFor(Holder holder, AccessMode mode, out long serial)
    {
        serial = 0;
        return false;
    }

    /// <summary>A blocking acquisition: order check, fast attempt, spin, wait.</summary>
    private protected LockScope AcquireCore(AccessMode mode, TimeSpan timeout, CancellationToken cancellationToken, in CallSite site)
    {
        ValidateTimeout(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        var thread = ThreadHolder.Current;
        Holder holder = DetectsPitfalls ? thread : SentinelHolder.Instance;
        if (DetectsPitfalls && timeout != TimeSpan.Zero)
        {
            var chain = FlowState.RawChain;
            if (thread.Count != 0 || chain is not null)
            {
                Diagnostics.OrderGraph.Check(this, thread, thread, chain, site);
            }
        }

        SynchronizationHooks.Observer?.OnAcquiring(this, mode, timeout);
        if (TryTakeFast(holder, mode, out var serial))
        {
            return AcquiredSync(thread, holder, mode, serial, site);
        }

        if (timeout == TimeSpan.Zero)
        {
            SynchronizationHooks.Observer?.OnAcquireFailed(this, mode);
            return default;
        }

        return AcquireContended(thread, holder, mode, site, timeout, cancellationToken);
    }

    /// <summary>The contended part of a blocking acquisition: spin, then queue and wait.</summary>
    private protected LockScope AcquireContended(ThreadHolder thread, Holder holder, AccessMode mode, in CallSite site, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (SpinFor(holder, mode, out var serial) || WaitBlocking(thread, holder, mode, site, timeout, cancellationToken, out serial))
        {
            return AcquiredSync(thread, holder, mode, serial, site);
        }

        SynchronizationHooks.Observer?.OnAcquireFailed(this, mode);
        return default;
    }

    /// <summary>Bookkeeping of a blocking acquisition, on the acquiring thread.</summary>
    private protected LockScope AcquiredSync(ThreadHolder thread, Holder holder, AccessMode mode, long serial, in CallSite site)
    {
        if (DetectsPitfalls)
        {
            thread.Push(this, mode, serial, site);
        }

        SynchronizationHooks.Observer?.OnAcquired(this, mode, holder);
        return new LockScope(this, holder, serial, mode);
    }

    /// <summary>An asynchronous acquisition: order check, fast attempt, then an awaitable wait.</summary>
    private protected ValueTask<LockScope> AcquireCoreAsync(AccessMode mode, TimeSpan timeout, CancellationToken cancellationToken, in CallSite site)
    {
        ValidateTimeout(timeout);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<LockScope>(cancellationToken);
        }

        Holder holder = SentinelHolder.Instance;
        AsyncHolder? chain = null;
        ThreadHolder? thread = null;
        if (DetectsPitfalls)
        {
            chain = FlowState.ActiveChain;
            thread = ThreadHolder.CurrentOrNull is { Count: > 0 } t ? t : null;
            var flow = new AsyncHolder(this, mode, site, chain, chain?.FlowId ?? FlowState.NewFlowId());
            holder = flow;
            if (timeout != TimeSpan.Zero && (thread is not null || chain is not null))
            {
                try
                {
                    Diagnostics.OrderGraph.Check(this, flow, thread, chain, site);
                }
                catch (LockOrderException e)
                {
                    return ValueTask.FromException<LockScope>(e);
                }
            }
        }

        SynchronizationHooks.Observer?.OnAcquiring(this, mode, timeout);
        if (TryTakeFast(holder, mode, out var serial))
        {
            return new ValueTask<LockScope>(AcquiredInFlow(holder, mode, serial));
        }

        if (timeout == TimeSpan.Zero)
        {
            SynchronizationHooks.Observer?.OnAcquireFailed(this, mode);
            return default;
        }

        return WaitAsync(holder, mode, site, timeout, thread, chain, cancellationToken);
    }

    /// <summary>Releases and wakes or grants waiters: for primitives whose release is lock-free.</summary>
    private protected void OnFreed(Holder? releaser)
    {
        var signals = default(Signals);
        var now = StarvationClock();
        lock (_queueLock)
        {
            ProcessQueueLocked(releaser, ref signals, now);
        }

        signals.Send(this);
    }

    /// <summary>Reads the clock for a starvation check, before taking the queue lock (0: no check).</summary>
    private protected long StarvationClock() =>
        DetectsPitfalls && Diagnostics.StarvationThreshold != Timeout.InfiniteTimeSpan ? Time.GetTimestamp() : 0;

    /// <summary>After the primitive was freed (or a waiter left): grant (fair) or wake (unfair) waiters; check starvation.</summary>
    /// <param name="releaser">Who released, counted as a winner; null when a waiter left.</param>
    /// <param name="signals">Collects what to do after the lock is released.</param>
    /// <param name="now">The time of the starvation check, read before the lock was taken; 0 for none.</param>
    private protected void ProcessQueueLocked(Holder? releaser, ref Signals signals, long now)
    {
        if (_head is null)
        {
            return;
        }

        if (DetectsPitfalls)
        {
            if (releaser is not null)
            {
                Tally(releaser);
            }

            if (now != 0)
            {
                CheckStarvationLocked(ref signals, now);
            }
        }

        if (Fairness == LockFairness.Fair)
        {
            // FIFO hand-off: the primitive goes straight to the longest waiters that can have it.
            while (_head is { } first && TryTake(first.Holder, first.Mode, out var serial))
            {
                Remove(first);
                first.Serial = serial;
                first.State = WaitState.Granted;
                signals.Add(first);
            }

            return;
        }

        // Unfair: wake the first waiter that could take it; it competes with newcomers when it runs. One retry at a
        // time: a woken waiter that wins wakes the next one (readers), one that loses waits for the next release.
        var scanned = 0;
        for (var node = _head; node is not null && scanned < MaxWakeScan; node = node.Next, scanned++)
        {
            if (node.State == WaitState.Woken)
            {
                return;
            }

            if (CouldTake(node.Mode))
            {
                node.State = WaitState.Woken;
                signals.Add(node);
                return;
            }
        }
    }

    private protected void CheckReleasingThread(Holder holder)
    {
        if (holder is ThreadHolder thread && !ReferenceEquals(thread, ThreadHolder.CurrentOrNull))
        {
            throw new SynchronizationLockException(
                $"{DescribeSelf()} was taken synchronously by {thread.Describe()} and is being released by {ThreadHolder.Current.Describe()}: " +
                "a synchronous acquisition belongs to its thread. To hold a Brigade primitive across an await, take it with its async method.");
        }
    }

    private protected void ForgetHeld(Holder holder, long serial)
    {
        if (holder is ThreadHolder thread)
        {
            thread.Remove(this, serial);
        }
        else if (holder is AsyncHolder flow)
        {
            FlowState.Pop(flow);
        }
    }

    private protected SynchronizationLockException NotHeld() =>
        new($"{DescribeSelf()} is not held by this scope: a scope must be disposed exactly once.");

    private static void ValidateTimeout(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "the timeout must be non-negative or Timeout.InfiniteTimeSpan");
        }
    }

    private LockScope AcquiredInFlow(Holder holder, AccessMode mode, long serial)
    {
        if (holder is AsyncHolder flow)
        {
            flow.Serial = serial;
            FlowState.Push(flow);
        }

        SynchronizationHooks.Observer?.OnAcquired(this, mode, holder);
        return new LockScope(this, holder, serial, mode);
    }

    private bool WaitBlocking(ThreadHolder thread, Holder holder, AccessMode mode, in CallSite site, TimeSpan timeout, CancellationToken cancellationToken, out long serial)
    {
        var wakeUp = thread.WaitEvent;
        wakeUp.Reset();
        var identities = DetectsPitfalls ? FlowState.Identities(thread.Count > 0 ? thread : null, FlowState.ActiveChain) : [];
        var node = new WaitNode(this, holder, mode, site, wakeUp, Time.GetTimestamp(), identities);
        lock (_queueLock)
        {
            // Queue first, then try: a release that frees the primitive after this point sees the waiter.
            Enqueue(node);
            if ((Fairness == LockFairness.Unfair || ReferenceEquals(_head, node)) && TryTake(holder, mode, out serial))
            {
                Remove(node);
                return true;
            }

            node.GrantsAtStart = _grants;
            node.AheadAtStart = _queued - 1;
        }

        ITimer? timer = null;
        try
        {
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                timer = StartTimeout(node, timeout);
            }

            Telemetry.LockContentions.Add(1, _kindTag);
            if (node.InGraph && WaitForGraph.RegisterAndFindCycle(node, identities) is { } cycle && TryAbandon(node))
            {
                var report = WaitForGraph.BuildReport(node, cycle);
                Diagnostics.Publish(report);
                throw new DeadlockException(report);
            }

            SynchronizationHooks.Observer?.OnWaiting(this, mode, holder);
            while (true)
            {
                try
                {
                    wakeUp.Wait(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    if (TryAbandon(node))
                    {
                        throw;
                    }

                    // Granted before the cancellation was seen: the acquisition stands.
                }
                catch (ThreadInterruptedException)
                {
                    // Leave no queued node behind for a thread that stopped waiting; a grant that already arrived is
                    // recorded and released so that the next waiter gets the primitive.
                    if (!TryAbandon(node))
                    {
                        AcquiredSync(thread, holder, mode, node.Serial, site).Dispose();
                    }

                    throw;
                }

                var signals = default(Signals);
                var outcome = 0;
                serial = 0;
                lock (_queueLock)
                {
                    switch (node.State)
                    {
                        case WaitState.Granted:
                            serial = node.Serial;
                            outcome = 1;
                            break;
                        case WaitState.Abandoned:
                            outcome = -1;
                            break;
                        case WaitState.Woken when TryTake(holder, mode, out serial):
                            Remove(node);
                            node.State = WaitState.Granted;
                            outcome = 1;
                            ProcessQueueLocked(null, ref signals, 0);
                            break;
                        default:
                            // Lost the race to a newcomer (unfair), or a stale wake-up: wait for the next release.
                            node.State = WaitState.Queued;
                            wakeUp.Reset();
                            break;
                    }
                }

                signals.Send(this);
                if (outcome != 0)
                {
                    return outcome > 0;
                }
            }
        }
        finally
        {
            timer?.Dispose();
            if (node.InGraph)
            {
                WaitForGraph.Finish(node);
            }

            RecordWait(node);
        }
    }

    private ValueTask<LockScope> WaitAsync(Holder holder, AccessMode mode, in CallSite site, TimeSpan timeout, ThreadHolder? thread, AsyncHolder? chain, CancellationToken cancellationToken)
    {
        var identities = DetectsPitfalls ? FlowState.Identities(thread, chain) : [];
        var node = new WaitNode(this, holder, mode, site, null, Time.GetTimestamp(), identities) { CancellationToken = cancellationToken };
        var serial = 0L;
        lock (_queueLock)
        {
            Enqueue(node);
            if ((Fairness == LockFairness.Unfair || ReferenceEquals(_head, node)) && TryTake(holder, mode, out serial))
            {
                Remove(node);
                node = null;
            }
            else
            {
                node.GrantsAtStart = _grants;
                node.AheadAtStart = _queued - 1;
            }
        }

        if (node is null)
        {
            return new ValueTask<LockScope>(AcquiredInFlow(holder, mode, serial));
        }

        // The timeout runs from the moment the waiter is queued; a cancellation or timeout that races with the cycle
        // search below simply wins (the search then finds the node abandoned).
        if (timeout != Timeout.InfiniteTimeSpan && StartTimeout(node, timeout) is { } timer)
        {
            node.AttachTimer(timer);
        }

        if (cancellationToken.CanBeCanceled)
        {
            node.AttachCancellation(cancellationToken.UnsafeRegister(CancelCallback, node));
        }

        Telemetry.LockContentions.Add(1, _kindTag);
        if (node.InGraph && WaitForGraph.RegisterAndFindCycle(node, identities) is { } cycle && TryAbandon(node))
        {
            var report = WaitForGraph.BuildReport(node, cycle);
            Diagnostics.Publish(report);
            node.Complete(default);   // ends the node: timer and registration are released; nobody awaits it
            return ValueTask.FromException<LockScope>(new DeadlockException(report));
        }

        SynchronizationHooks.Observer?.OnWaiting(this, mode, holder);
        return new ValueTask<LockScope>(node, node.Version);
    }

    /// <summary>
    /// Arms a wait's timeout. The timeout runs from the node's start (before it was queued and visible), so time that
    /// passed in between counts: a timeout already due fires at once instead of being armed late.
    /// </summary>
    private ITimer? StartTimeout(WaitNode node, TimeSpan timeout)
    {
        var remaining = timeout - Time.GetElapsedTime(node.StartTimestamp);
        if (remaining <= TimeSpan.Zero)
        {
            TimeOut(node);
            return null;
        }

        var timer = Time.CreateTimer(TimeoutCallback, node, remaining, Timeout.InfiniteTimeSpan);

        // The clock may have moved while the timer was armed (relative to a later "now"): check once more. Timing out
        // twice is harmless; the second attempt finds the node no longer queued.
        if (Time.GetElapsedTime(node.StartTimestamp) >= timeout)
        {
            TimeOut(node);
        }

        return timer;
    }

    /// <summary>Takes a waiter out of the queue unless it was already granted; passes its turn on.</summary>
    private bool TryAbandon(WaitNode node)
    {
        var signals = default(Signals);
        lock (_queueLock)
        {
            if (node.State is not (WaitState.Queued or WaitState.Woken))
            {
                return false;
            }

            node.State = WaitState.Abandoned;
            Remove(node);
            ProcessQueueLocked(null, ref signals, 0);
        }

        signals.Send(this);
        return true;
    }

    private void TimeOut(WaitNode node)
    {
        if (!TryAbandon(node))
        {
            return;
        }

        if (node.IsAsync)
        {
            node.Complete(default);
        }
        else
        {
            node.Event!.Set();
        }
    }

    private void Cancel(WaitNode node)
    {
        if (TryAbandon(node))
        {
            node.Fail(new OperationCanceledException(node.CancellationToken));
        }
    }

    private void Enqueue(WaitNode node)
    {
        node.Previous = _tail;
        node.Next = null;
        if (_tail is null)
        {
            _head = node;
        }
        else
        {
            _tail.Next = node;
        }

        _tail = node;
        Interlocked.Increment(ref _queued);
    }

    private void Remove(WaitNode node)
    {
        if (node.Previous is null)
        {
            _head = node.Next;
        }
        else
        {
            node.Previous.Next = node.Next;
        }

        if (node.Next is null)
        {
            _tail = node.Previous;
        }
        else
        {
            node.Next.Previous = node.Previous;
        }

        node.Previous = null;
        node.Next = null;
        Interlocked.Decrement(ref _queued);
        if (_head is null)
        {
            _winnerCount = 0;
        }
    }

    private void Tally(Holder releaser)
    {
        var key = releaser.TallyKey;
        var winners = _winners ??= new Winner[MaxTrackedWinners];
        var least = 0;
        for (var i = 0; i < _winnerCount; i++)
        {
            if (Equals(winners[i].Key, key))
            {
                winners[i].Count++;
                return;
            }

            if (winners[i].Count < winners[least].Count)
            {
                least = i;
            }
        }

        winners[_winnerCount < winners.Length ? _winnerCount++ : least] = new Winner(key, releaser, 1);
    }

    private void CheckStarvationLocked(ref Signals signals, long now)
    {
        var threshold = Diagnostics.StarvationThreshold;
        var checkedNodes = 0;
        for (var node = _head; node is not null && checkedNodes < MaxStarvationChecks; node = node.Next, checkedNodes++)
        {
            if (node.StarvationReported)
            {
                continue;
            }

            var waited = Time.GetElapsedTime(node.StartTimestamp, now);
            var others = _grants - node.GrantsAtStart;

            // Grants to the waiters that were queued ahead of it are a queue, not starvation: only overtaking counts.
            if (waited < threshold || others - node.AheadAtStart <= 0)
            {
                continue;
            }

            node.StarvationReported = true;
            signals.AddStarved(new StarvationFinding(node, waited, others, TopWinners()));
        }
    }

    private (Holder Holder, long Grants)[] TopWinners() =>
        _winners is null
            ? []
            : _winners.AsSpan(0, _winnerCount).ToArray().OrderByDescending(w => w.Count).Take(MaxWinners).Select(w => (w.Holder, w.Count)).ToArray();

    private record struct Winner(object Key, Holder Holder, long Count);
}
