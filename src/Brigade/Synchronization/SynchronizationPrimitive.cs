using System.Diagnostics;
using Brigade.Diagnostics;

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
public abstract partial class SynchronizationPrimitive
{
    private const int MaxStarvationChecks = 8;
    private const int MaxWakeScan = 16;
    private const int MaxWinners = 3;
    internal const int TrackedReleases = 32;

    private static readonly TimerCallback TimeoutCallback = static state => ((WaitNode)state!).Primitive.TimeOut((WaitNode)state!);
    private static readonly TimerCallback ReportsDueCallback = static state =>
    {
        // Wakes the blocked waiter to publish its pending reports; it then finds itself still queued and waits on.
        var node = (WaitNode)state!;
        node.ReportsDue = true;
        node.Event?.Set();
    };

    private static readonly Action<object?> CancelCallback = static state => ((WaitNode)state!).Primitive.Cancel((WaitNode)state!);
    private static int s_nextId;

    /// <summary>
    /// Set once, by the first asynchronous acquisition in the process: until then no flow holds anything asynchronously,
    /// and synchronous acquisitions skip reading the AsyncLocal (see FlowState). Here, on a class that is initialized
    /// before any lock is used, so reading it needs no class-initialization check.
    /// </summary>
    internal static volatile bool AsyncAcquisitionsHappened;

    // Guards the queue (_head, _tail, each queued node's links, State and bookkeeping) and _releases; in the semaphore
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

    // The latest releases made while someone waited, with the grant count at each (a ring of TrackedReleases): who keeps
    // winning during a given wait. Under _queueLock; cleared when the queue empties.
    private ReleaseRecord[]? _releases;
    private long _releaseCount;

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
        if (waited > TimeSpan.Zero)
        {
            // Counted for the run whose batch began the wait, if any (its losses, auto mode's evidence); no process total.
            node.WaitSink?.Add(waited.Ticks);
        }
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


    /// <summary>The error for a synchronous grant released on another thread than the one that took it (a blocking
    /// scope disposed after an await resumed elsewhere), or null. The release goes ahead before it is thrown (lib52):
    /// refusing it, as <see cref="Monitor.Exit(object)"/> does, left the primitive held for good, since the code that
    /// held it has finished, and every later acquisition hung.</summary>
    private protected SynchronizationLockException? WrongReleasingThread(Holder holder) =>
        holder is ThreadHolder thread && !ReferenceEquals(thread, ThreadHolder.CurrentOrNull)
            ? new SynchronizationLockException(
                $"{DescribeSelf()} was taken synchronously by {thread.Describe()} and is being released by {ThreadHolder.Current.Describe()}: " +
                "a synchronous acquisition belongs to its thread. To hold a Brigade primitive across an await, take it with its async method. " +
                "It was released anyway, so that it does not stay held for good.")
            : null;

    private protected void ForgetHeld(Holder holder, long serial)
    {
        if (holder is ThreadHolder thread)
        {
            if (ReferenceEquals(thread, ThreadHolder.CurrentOrNull))
            {
                thread.Remove(this, serial);
            }
            else
            {
                // Only the owning thread writes its held stack: it drops the entry at its next acquisition.
                thread.ReleasedElsewhere(this, serial);
            }
        }
        else if (holder is AsyncHolder flow)
        {
            FlowState.Pop(flow);
        }
    }

    private protected SynchronizationLockException NotHeld() =>
        new($"{DescribeSelf()} is not held by this scope: a scope must be disposed exactly once.");
}
