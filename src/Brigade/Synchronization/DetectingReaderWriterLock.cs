using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Brigade.Synchronization;

/// <summary>
/// A reader/writer lock (many readers or one writer), taken by blocking or asynchronously, that detects deadlocks,
/// lock-order inversions and starvation. Not reentrant, and a read lock cannot be upgraded.
/// </summary>
/// <remarks>
/// <para><see cref="LockFairness.Unfair"/> (the default) lets a reader in whenever no writer holds the lock, even while
/// writers wait: fastest for readers, but a steady stream of overlapping readers starves a writer, which starvation
/// tracking reports. <see cref="LockFairness.Fair"/> serves requests in arrival order (consecutive readers together), so a
/// writer waits only for the readers ahead of it; a reader that asks again while a writer is queued then waits for that
/// writer, which waits for the reader: a deadlock, detected.</para>
/// <para>A reader that asks for the write lock waits for itself: reported as a deadlock at once (take the write lock
/// from the start, or release the read lock first).</para>
/// </remarks>
/// <example>
/// <code>
/// var cache = new DetectingReaderWriterLock("cache");
/// using (cache.AcquireRead()) { return Lookup(key); }
/// using (await cache.AcquireWriteAsync(cancellationToken)) { await RefreshAsync(cancellationToken); }
/// </code>
/// </example>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed class DetectingReaderWriterLock : SynchronizationPrimitive
{
    // Who holds the read lock, one entry per grant. Under the queue lock.
    private readonly List<(Holder Holder, long Serial)> _readers = [];

    // The writer and its grant; null when no writer holds it. Under the queue lock (read without it by IsWriteHeld).
    private Holder? _writer;
    private long _writerSerial;
    private int _readerCount;

    /// <summary>Initializes an unfair, detecting reader/writer lock with a generated name.</summary>
    public DetectingReaderWriterLock()
        : this((LockOptions?)null)
    {
    }

    /// <summary>Initializes an unfair, detecting reader/writer lock.</summary>
    /// <param name="name">The name reports use.</param>
    public DetectingReaderWriterLock(string name)
        : this(new LockOptions { Name = name })
    {
    }

    /// <summary>Initializes a reader/writer lock.</summary>
    /// <param name="options">Name, fairness, detection and channel; null for the defaults.</param>
    public DetectingReaderWriterLock(LockOptions? options)
        : base("rwlock", "reader/writer lock", options)
    {
    }

    /// <summary>Gets how many read grants are held.</summary>
    public int CurrentReadCount => Volatile.Read(ref _readerCount);

    /// <summary>Gets whether a writer holds the lock.</summary>
    public bool IsWriteHeld => Volatile.Read(ref _writer) is not null;

    private string DebuggerDisplay => $"reader/writer lock '{Name}': {(IsWriteHeld ? "write-held" : CurrentReadCount + " readers")}, {WaitingCount} waiting";

    /// <summary>Takes the read lock (shared with other readers), blocking until it can be had.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; dispose it to release the lock.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public LockScope AcquireRead(CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCore(AccessMode.Read, Timeout.InfiniteTimeSpan, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes the read lock (shared with other readers) if it can be had within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to only try, <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; <see cref="LockScope.IsAcquired"/> is false if the timeout elapsed.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public LockScope TryAcquireRead(TimeSpan timeout, CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCore(AccessMode.Read, timeout, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes the read lock (shared with other readers) asynchronously; the logical flow holds it until the scope is disposed.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope, once acquired; await it once.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public ValueTask<LockScope> AcquireReadAsync(CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCoreAsync(AccessMode.Read, Timeout.InfiniteTimeSpan, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes the read lock (shared with other readers) asynchronously if it can be had within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to only try, <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; <see cref="LockScope.IsAcquired"/> is false if the timeout elapsed.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters.</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public ValueTask<LockScope> TryAcquireReadAsync(TimeSpan timeout, CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCoreAsync(AccessMode.Read, timeout, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes the write lock (exclusive), blocking until it can be had.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; dispose it to release the lock.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters (including a reader asking for the write lock: a read lock cannot be upgraded).</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public LockScope AcquireWrite(CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCore(AccessMode.Write, Timeout.InfiniteTimeSpan, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes the write lock (exclusive) if it can be had within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to only try, <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; <see cref="LockScope.IsAcquired"/> is false if the timeout elapsed.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters (including a reader asking for the write lock: a read lock cannot be upgraded).</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public LockScope TryAcquireWrite(TimeSpan timeout, CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCore(AccessMode.Write, timeout, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes the write lock (exclusive) asynchronously; the logical flow holds it until the scope is disposed.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope, once acquired; await it once.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters (including a reader asking for the write lock: a read lock cannot be upgraded).</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public ValueTask<LockScope> AcquireWriteAsync(CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCoreAsync(AccessMode.Write, Timeout.InfiniteTimeSpan, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    /// <summary>Takes the write lock (exclusive) asynchronously if it can be had within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="TimeSpan.Zero"/> to only try, <see cref="Timeout.InfiniteTimeSpan"/> to wait forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="callerMember">Filled in by the compiler: where the lock is taken, for reports.</param>
    /// <param name="callerFile">Filled in by the compiler.</param>
    /// <param name="callerLine">Filled in by the compiler.</param>
    /// <returns>The scope; <see cref="LockScope.IsAcquired"/> is false if the timeout elapsed.</returns>
    /// <exception cref="DeadlockException">This wait would close a cycle of waiters (including a reader asking for the write lock: a read lock cannot be upgraded).</exception>
    /// <exception cref="LockOrderException">In <see cref="LockOrderMode.Throw"/> mode, the acquisition inverts a lock order seen before.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired.</exception>
    public ValueTask<LockScope> TryAcquireWriteAsync(TimeSpan timeout, CancellationToken cancellationToken = default, [CallerMemberName] string callerMember = "", [CallerFilePath] string callerFile = "", [CallerLineNumber] int callerLine = 0) =>
        AcquireCoreAsync(AccessMode.Write, timeout, cancellationToken, CallSite.Capture(this, callerMember, callerFile, callerLine));

    internal override string Describe(AccessMode mode) => mode == AccessMode.Write ? $"write lock on '{Name}'" : $"read lock on '{Name}'";

    internal override bool TryTake(Holder holder, AccessMode mode, out long serial)
    {
        if (!CouldTake(mode))
        {
            serial = 0;
            return false;
        }

        serial = ++_grants;
        if (mode == AccessMode.Write)
        {
            _writerSerial = serial;
            Volatile.Write(ref _writer, holder);
        }
        else
        {
            _readers.Add((holder, serial));
            Volatile.Write(ref _readerCount, _readers.Count);
        }

        return true;
    }

    internal override bool CouldTake(AccessMode mode) => _writer is null && (mode == AccessMode.Read || _readers.Count == 0);

    internal override List<Holder> SnapshotHolders()
    {
        lock (_queueLock)
        {
            var holders = _readers.ConvertAll(r => r.Holder);
            if (_writer is { } writer)
            {
                holders.Add(writer);
            }

            return holders;
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
            if (mode == AccessMode.Write)
            {
                if (!ReferenceEquals(_writer, holder) || _writerSerial != serial)
                {
                    throw NotHeld();
                }

                Volatile.Write(ref _writer, null);
            }
            else
            {
                var index = _readers.IndexOf((holder, serial));
                if (index < 0)
                {
                    throw NotHeld();
                }

                _readers.RemoveAt(index);
                Volatile.Write(ref _readerCount, _readers.Count);
            }

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
        // Every blocker must leave: the writer; for a writer, every reader too.
        anyOf = false;
        if (_writer is { } writer)
        {
            into.Add(writer);
        }

        if (node.Mode == AccessMode.Write)
        {
            foreach (var (reader, _) in _readers)
            {
                if (!into.Contains(reader))
                {
                    into.Add(reader);
                }
            }
        }

        if (Fairness == LockFairness.Fair)
        {
            // FIFO: a request also waits for the writers queued ahead of it (a reader waits for them even though the
            // current readers would let it in).
            for (var ahead = QueueHeadLocked; ahead is not null && !ReferenceEquals(ahead, node); ahead = ahead.Next)
            {
                if (ahead.Mode == AccessMode.Write || node.Mode == AccessMode.Write)
                {
                    into.Add(ahead);
                }
            }
        }
    }
}
