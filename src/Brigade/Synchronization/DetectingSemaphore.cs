using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Brigade.Synchronization;

/// <summary>
/// A counting semaphore whose permits are held through scopes, taken by blocking or asynchronously, that detects
/// deadlocks (all permit holders waiting, transitively, for the waiter), lock-order inversions and starvation.
/// </summary>
/// <remarks>
/// Every permit is owned: it is returned by disposing the scope that took it, so the semaphore always knows who holds
/// its permits. A waiter is deadlocked only when every holder is blocked by it: one free holder can still release.
/// </remarks>
/// <example>
/// <code>
/// var connections = new DetectingSemaphore(10, "connections");
/// using (await connections.AcquireAsync(cancellationToken)) { await QueryAsync(cancellationToken); }
/// </code>
/// </example>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed class DetectingSemaphore : SynchronizationPrimitive
{
    // Who holds permits, one entry per permit. Under the queue lock.
    private readonly List<(Holder Holder, long Serial)> _holders = [];

    // Free permits. Written under the queue lock; read without it by CurrentCount.
    private int _available;

    /// <summary>Initializes an unfair, detecting semaphore with a generated name.</summary>
    /// <param name="count">How many permits it has; at least 1.</param>
    public DetectingSemaphore(int count)
        : this(count, (LockOptions?)null)
    {
    }

    /// <summary>Initializes an unfair, detecting semaphore.</summary>
    /// <param name="count">How many permits it has; at least 1.</param>
    /// <param name="name">The name reports use.</param>
    public DetectingSemaphore(int count, string name)
        : this(count, new LockOptions { Name = name })
    {
    }

    /// <summary>Initializes a semaphore.</summary>
    /// <param name="count">How many permits it has; at least 1.</param>
    /// <param name="options">Name, fairness, detection and channel; null for the defaults.</param>
    public DetectingSemaphore(int count, LockOptions? options)
        : base("semaphore", "semaphore", options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        MaxCount = count;
        _available = count;
    }

    /// <summary>Gets how many permits the semaphore has.</summary>
    public int MaxCount { get; }

    /// <summary>Gets how many permits are free.</summary>
    public int CurrentCount => Volatile.Read(ref _available);

    private string DebuggerDisplay => $"semaphore '{Name}': {CurrentCount}/{MaxCount} free, {WaitingCount} waiting";

    /// <summary>Takes a permit, blocking until one is free.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the permit is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; dispose it to return the permit.</returns>
    /// <exception cref="DeadlockException">Every permit holder waits, transitively, for this waiter.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was acquired.</exception>
    public LockScope Acquire(CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCore(AccessMode.Permit, Timeout.InfiniteTimeSpan, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes a permit if one becomes free within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to only try, <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the permit is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; <see cref="LockScope.IsAcquired"/> is false if the timeout elapsed.</returns>
    /// <exception cref="DeadlockException">Every permit holder waits, transitively, for this waiter.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was acquired.</exception>
    public LockScope TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCore(AccessMode.Permit, timeout, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes a permit asynchronously; the logical flow holds it until the scope is disposed.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the permit is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope, once acquired; await it once.</returns>
    /// <exception cref="DeadlockException">Every permit holder waits, transitively, for this waiter.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was acquired.</exception>
    public ValueTask<LockScope> AcquireAsync(CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCoreAsync(AccessMode.Permit, Timeout.InfiniteTimeSpan, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes a permit asynchronously if one becomes free within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to only try, <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the permit is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; <see cref="LockScope.IsAcquired"/> is false if the timeout elapsed.</returns>
    /// <exception cref="DeadlockException">Every permit holder waits, transitively, for this waiter.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before a permit was acquired.</exception>
    public ValueTask<LockScope> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCoreAsync(AccessMode.Permit, timeout, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    internal override string Describe(AccessMode mode) => $"a permit of semaphore '{Name}'";

    internal override bool TryTake(Holder holder, AccessMode mode, out long serial)
    {
        if (_available == 0)
        {
            serial = 0;
            return false;
        }

        Volatile.Write(ref _available, _available - 1);
        serial = ++_grants;
        _holders.Add((holder, serial));
        return true;
    }

    internal override bool CouldTake(AccessMode mode) => _available > 0;

    internal override List<Holder> SnapshotHolders()
    {
        lock (_queueLock)
        {
            return _holders.ConvertAll(h => h.Holder);
        }
    }

    internal override void Release(Holder holder, long serial, AccessMode mode)
    {
        var wrongThread = WrongReleasingThread(holder);
        SynchronizationHooks.Observer?.OnReleasing(this, mode, holder);
        var signals = default(Signals);
        var now = StarvationClock();
        lock (_queueLock)
        {
            var index = _holders.IndexOf((holder, serial));
            if (index < 0)
            {
                throw NotHeld();
            }

            _holders.RemoveAt(index);
            Volatile.Write(ref _available, _available + 1);
            ProcessQueueLocked(holder, ref signals, now);
        }

        ForgetHeld(holder, serial);
        signals.Send(this);
        if (wrongThread is not null)
        {
            throw wrongThread;
        }
    }

    private protected override void CollectBlockersLocked(WaitNode node, List<object> into, out bool anyOf)
    {
        // Any one holder releasing frees a permit: the waiter is stuck only if all of them are.
        anyOf = true;
        if (_available > 0)
        {
            return;
        }

        foreach (var (holder, _) in _holders)
        {
            if (!into.Contains(holder))
            {
                into.Add(holder);
            }
        }
    }
}
