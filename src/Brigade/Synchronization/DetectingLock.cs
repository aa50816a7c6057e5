using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Brigade.Synchronization;

/// <summary>
/// An exclusive, non-reentrant lock, taken by blocking or asynchronously, that detects deadlocks, lock-order
/// inversions and starvation.
/// </summary>
/// <remarks>
/// <para>A synchronous acquisition belongs to its thread (release it on that thread); an asynchronous one belongs to the
/// logical flow: the code after the <c>await</c>, wherever it resumes, and the tasks it starts while holding it.</para>
/// <para>A wait that would close a cycle of waiters throws <see cref="DeadlockException"/> at once, listing the cycle;
/// the other waiters keep waiting. Taking it again while holding it is such a cycle (of one), through every method:
/// <see cref="TryAcquire"/> and <see cref="TryAcquireAsync"/> throw it too, even with <see cref="TimeSpan.Zero"/>.</para>
/// <para>Uncontended, an acquisition is one compare-and-swap plus bookkeeping; see docs/performance.md.</para>
/// </remarks>
/// <example>
/// <code>
/// var accounts = new DetectingLock("accounts");
/// using (accounts.Acquire()) { from.Balance -= amount; to.Balance += amount; }
/// using (await accounts.AcquireAsync(cancellationToken)) { await SaveAsync(cancellationToken); }
/// </code>
/// </example>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed class DetectingLock : SynchronizationPrimitive
{

    // 1 when held, 0 when free: taken by compare-and-swap, released by an exchange (a full fence before WaitingCount is
    // read). Not guarded by a lock: it is the lock. An int, not the owner reference: interlocked operations on
    // references go through a GC write-barrier helper and cost several times more.
    private int _state;

    // Who holds it, written by the new owner right after it took _state (and cleared before it releases): a reader may
    // briefly see a held lock with no owner yet, which the wait-for graph treats as an owner that is not blocked.
    private Holder? _owner;

    /// <summary>Initializes an unfair, detecting lock with a generated name.</summary>
    public DetectingLock()
        : this((LockOptions?)null)
    {
    }

    /// <summary>Initializes an unfair, detecting lock.</summary>
    /// <param name="name">The name reports use.</param>
    public DetectingLock(string name)
        : this(new LockOptions { Name = name })
    {
    }

    /// <summary>Initializes a lock.</summary>
    /// <param name="options">Name, fairness, detection and channel; null for the defaults.</param>
    public DetectingLock(LockOptions? options)
        : base("lock", "lock", options)
    {
    }

    /// <summary>Gets whether the lock is held.</summary>
    public bool IsHeld => Volatile.Read(ref _state) != 0;

    /// <summary>Gets who holds the lock, such as <c>thread 'worker' (#12)</c>; null when free or not detecting.</summary>
    public string? CurrentOwner => Volatile.Read(ref _owner) is { } owner && owner is not SentinelHolder ? owner.Describe() : null;

    private string DebuggerDisplay => $"lock '{Name}': {(IsHeld ? "held" + (CurrentOwner is { } o ? " by " + o : "") : "free")}, {WaitingCount} waiting";

    /// <summary>Takes the lock, blocking until it is free.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; dispose it to release the lock.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters (including taking the lock again while holding it).</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public LockScope Acquire(CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0)
    {
        if (!DetectsPitfalls)
        {
            return AcquireUntracked(cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            ThrowCancelled(cancellationToken);
        }

        SynchronizationHooks.Observer?.OnAcquiring(this, AccessMode.Exclusive, Timeout.InfiniteTimeSpan);

        // Take the lock first and do the bookkeeping after: work before the compare-and-swap widens the window in which
        // a just-released lock is free, and under contention ownership then moves between cores far more often.
        if ((Fairness == LockFairness.Unfair || WaitingCount == 0) && Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            var thread = ThreadHolder.Current;
            _owner = thread;
            if (WaitingCount != 0)
            {
                _grants++;
            }

            var site = CallSite.Capture(this, callerMember, callerFile, callerLine);
            if (thread.Count != 0 || FlowState.RawChain is not null)
            {
                CheckOrderOfTakenLock(thread, site);
            }

            return AcquiredSync(thread, thread, AccessMode.Exclusive, thread.NextSerial(), site);
        }

        return AcquireContended(cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));
    }

    /// <summary>Takes the lock if it becomes free within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to only try (no order is checked then), <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; <see cref="LockScope.IsAcquired"/> is false if the timeout elapsed.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters, including taking the lock again while this
    /// thread (or async flow) holds it, whatever the timeout: as <see cref="Acquire"/>.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public LockScope TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCore(AccessMode.Exclusive, ReentryAsWait(timeout), cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes the lock asynchronously; the logical flow owns it until the scope is disposed.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope, once acquired; await it once.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public ValueTask<LockScope> AcquireAsync(CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCoreAsync(AccessMode.Exclusive, Timeout.InfiniteTimeSpan, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes the lock asynchronously if it becomes free within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to only try, <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; <see cref="LockScope.IsAcquired"/> is false if the timeout elapsed.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters, including taking the lock again while this
    /// flow (or thread) holds it, whatever the timeout: as <see cref="AcquireAsync"/>.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public ValueTask<LockScope> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCoreAsync(AccessMode.Exclusive, ReentryAsWait(timeout), cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    internal override string Describe(AccessMode mode) => DescribeSelf();

    /// <summary>
    /// The timeout a try-acquisition waits with: any timeout by the lock's own holder becomes an unbounded wait, which the
    /// detection refuses at once as the cycle of one it is (lib56). A zero try there returned false while a timed one threw
    /// (and a short timed one returned false when its timer beat the cycle search, on a loaded machine): "busy, try later"
    /// to code whose later never comes, since no one but the holder can free the lock.
    /// </summary>
    private TimeSpan ReentryAsWait(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan || !DetectsPitfalls || Volatile.Read(ref _owner) is not { } owner || owner is SentinelHolder)
        {
            return timeout;
        }

        // Only the holder itself releases a lock it holds here (its scope; another thread disposing that scope races with
        // nothing this thread does), so the wait below finds the lock still held and the cycle still closed.
        if (ReferenceEquals(owner, ThreadHolder.CurrentOrNull))
        {
            return Timeout.InfiniteTimeSpan;
        }

        for (var held = FlowState.ActiveChain; held is not null; held = held.Next)
        {
            if (ReferenceEquals(owner, held) && !held.IsReleased)
            {
                return Timeout.InfiniteTimeSpan;
            }
        }

        return timeout;
    }

    internal override bool TryTake(Holder holder, AccessMode mode, out long serial)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            if (holder is not SentinelHolder)
            {
                Volatile.Write(ref _owner, holder);
            }

            // Grants are counted only while someone waits: that is all starvation tracking needs, and the uncontended
            // path then writes nothing to the lock but its state and owner.
            if (WaitingCount != 0)
            {
                _grants++;
            }

            serial = holder is ThreadHolder thread ? thread.NextSerial() : 0;
            return true;
        }

        serial = 0;
        return false;
    }

    internal override bool CouldTake(AccessMode mode) => Volatile.Read(ref _state) == 0;

    internal override List<Holder> SnapshotHolders() => Volatile.Read(ref _owner) is { } owner ? [owner] : [];

    internal override void Release(Holder holder, long serial, AccessMode mode)
    {
        if (!DetectsPitfalls)
        {
            SynchronizationHooks.Observer?.OnReleasing(this, mode, holder);
            if (Interlocked.Exchange(ref _state, 0) == 0)
            {
                throw NotHeld();
            }

            if (WaitingCount != 0)
            {
                OnFreed(null);
            }

            return;
        }

        if (!ReferenceEquals(Volatile.Read(ref _owner), holder))
        {
            throw NotHeld();
        }

        SynchronizationLockException? wrongThread = null;
        if (holder.AsThread is { } thread)
        {
            if (ReferenceEquals(thread, ThreadHolder.CurrentOrNull))
            {
                // The serial tells this scope from a later grant to the same thread (a scope disposed twice).
                if (!thread.Remove(this, serial))
                {
                    throw NotHeld();
                }
            }
            else
            {
                // Another thread (a blocking scope disposed after an await): released, then reported (WrongReleasingThread).
                if (!thread.ReleasedElsewhere(this, serial, mustHold: true))
                {
                    throw NotHeld();
                }

                wrongThread = WrongReleasingThread(holder);
            }
        }
        else
        {
            ForgetHeld(holder, serial);
        }

        SynchronizationHooks.Observer?.OnReleasing(this, mode, holder);
        Volatile.Write(ref _owner, null);
        Interlocked.Exchange(ref _state, 0);
        if (WaitingCount != 0)
        {
            OnFreed(holder);
        }

        if (wrongThread is not null)
        {
            throw wrongThread;
        }
    }

    private protected override void CollectBlockersLocked(WaitNode node, List<object> into, out bool anyOf)
    {
        anyOf = false;
        if (Volatile.Read(ref _owner) is { } owner)
        {
            into.Add(owner);
        }
    }

    private protected override bool TryTakeFast(Holder holder, AccessMode mode, out long serial)
    {
        if (Fairness == LockFairness.Unfair || WaitingCount == 0)
        {
            return TryTake(holder, mode, out serial);
        }

        serial = 0;
        return false;
    }

    private protected override bool SpinFor(Holder holder, AccessMode mode, out long serial)
    {
        var owner = Volatile.Read(ref _owner);
        if (owner is { IsWaitingHint: true } || (ReferenceEquals(owner, holder) && holder is not SentinelHolder))
        {
            // The owner is blocked, or it is this very flow: spinning cannot help; go and detect.
            serial = 0;
            return false;
        }

        // Spin only while spinning does not yield the processor: a yield can cost a whole scheduler quantum on a busy
        // machine, far more than queueing and being woken.
        var spinner = default(SpinWait);
        while (!spinner.NextSpinWillYield)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (Volatile.Read(ref _state) == 0 && (Fairness == LockFairness.Unfair || WaitingCount == 0) && TryTake(holder, mode, out serial))
            {
                return true;
            }
        }

        serial = 0;
        return false;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowCancelled(CancellationToken cancellationToken) => throw new OperationCanceledException(cancellationToken);

    /// <summary>The order check of an acquisition made on the fast path, after the lock was taken: in Throw mode the
    /// taking is undone (before the caller could use the lock) and the refusal thrown.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CheckOrderOfTakenLock(ThreadHolder thread, in CallSite site)
    {
        try
        {
            Diagnostics.OrderGraph.Check(this, AccessMode.Exclusive, thread, thread, FlowState.RawChain, site);
            LockOrderGraph.CommitPending();   // already taken
        }
        catch (LockOrderException)
        {
            Volatile.Write(ref _owner, null);
            Interlocked.Exchange(ref _state, 0);
            if (WaitingCount != 0)
            {
                OnFreed(null);
            }

            throw;
        }
    }

    /// <summary>The contended path: the order check comes before waiting, then spinning and queueing.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private LockScope AcquireContended(CancellationToken cancellationToken, in CallSite site)
    {
        var thread = ThreadHolder.Current;
        var chain = FlowState.RawChain;
        if (thread.Count == 0 && chain is null)
        {
            return AcquireContended(thread, thread, AccessMode.Exclusive, site, Timeout.InfiniteTimeSpan, cancellationToken);
        }

        Diagnostics.OrderGraph.Check(this, AccessMode.Exclusive, thread, thread, chain, site);
        LockScope scope;
        try
        {
            scope = AcquireContended(thread, thread, AccessMode.Exclusive, site, Timeout.InfiniteTimeSpan, cancellationToken);
        }
        catch (Exception e)
        {
            LockOrderGraph.DiscardPending(deadlock: e is DeadlockException);
            throw;
        }

        return Settle(scope);
    }

    private LockScope AcquireUntracked(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // With detection off this is the whole cost of a lock: one read of the hook, one compare-and-swap.
        var observer = SynchronizationHooks.Observer;
        observer?.OnAcquiring(this, AccessMode.Exclusive, Timeout.InfiniteTimeSpan);
        if ((Fairness == LockFairness.Unfair || WaitingCount == 0) && Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            observer?.OnAcquired(this, AccessMode.Exclusive, SentinelHolder.Instance);
            return new LockScope(this, SentinelHolder.Instance, 0, AccessMode.Exclusive);
        }

        return AcquireContended(ThreadHolder.Current, SentinelHolder.Instance, AccessMode.Exclusive, default, Timeout.InfiniteTimeSpan, cancellationToken);
    }
}
