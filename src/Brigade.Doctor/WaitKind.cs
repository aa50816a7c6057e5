namespace Brigade.Doctor;

/// <summary>What a blocked thread waits on, as read from its stack.</summary>
public enum WaitKind
{
    /// <summary><c>lock (obj)</c> or <c>Monitor.Enter</c>: owned by the thread that holds the monitor.</summary>
    Monitor = 1,

    /// <summary><c>System.Threading.Lock</c> (<c>lock</c> on a <c>Lock</c>, <c>EnterScope</c>, <c>Enter</c>): owned by one thread.</summary>
    Lock = 2,

    /// <summary><c>ReaderWriterLockSlim.EnterWriteLock</c>: waits for the writer, the upgradeable holder and every reader.</summary>
    ReaderWriterLockWrite = 3,

    /// <summary><c>ReaderWriterLockSlim.EnterReadLock</c>: waits for the writer (or a writer waiting ahead).</summary>
    ReaderWriterLockRead = 4,

    /// <summary><c>ReaderWriterLockSlim.EnterUpgradeableReadLock</c>: waits for the writer and the upgradeable holder.</summary>
    ReaderWriterLockUpgrade = 5,

    /// <summary><c>Thread.Join</c>: waits for another thread to end.</summary>
    ThreadJoin = 6,

    /// <summary>A synchronous wait on a task (<c>Task.Wait</c>, <c>.Result</c>, <c>GetAwaiter().GetResult()</c>): sync-over-async.</summary>
    Task = 7,

    /// <summary><c>Monitor.Wait</c>: waits for a pulse, which no particular thread owes.</summary>
    MonitorWait = 8,

    /// <summary><c>SemaphoreSlim.Wait</c>: waits for a permit; any thread may release one, so there is no owner to blame.</summary>
    SemaphoreSlim = 9,

    /// <summary><c>ManualResetEventSlim.Wait</c>: waits for a signal from anyone.</summary>
    ManualResetEventSlim = 10,

    /// <summary><c>WaitHandle.WaitOne</c>/<c>WaitAny</c>/<c>WaitAll</c> on an event, a semaphore or a mutex.</summary>
    WaitHandle = 11,

    /// <summary>A Brigade primitive (<c>DetectingLock</c>, <c>DetectingReaderWriterLock</c>, <c>DetectingSemaphore</c>).</summary>
    BrigadePrimitive = 12,

    /// <summary><c>Thread.Sleep</c>: not waiting for anyone.</summary>
    Sleep = 13,

    /// <summary>Synchronous I/O (a read, a socket receive or accept, the console): waits for the outside world.</summary>
    IO = 14,

    /// <summary>A type's initialization (its static constructor) that another thread is running: the runtime holds the
    /// type's initialization lock for the thread running the static constructor until it returns.</summary>
    TypeInitializer = 15,

    /// <summary><c>CancellationTokenRegistration.Dispose</c> (or <c>CancellationTokenSource.Dispose</c>/<c>Unregister</c>
    /// callers that wait) waiting for the registration's callback, which <c>Cancel</c> is running on another thread: owned
    /// by that thread, until the callback returns.</summary>
    CancellationCallback = 16,

    /// <summary><c>SpinLock.Enter</c> spinning (its back-off sleeps a millisecond at a time, so the thread looks asleep):
    /// owned by the thread whose managed id the <c>SpinLock</c> holds when it tracks its owner (the default); with owner
    /// tracking off (<c>new SpinLock(false)</c>) the dump shows no owner.</summary>
    SpinLock = 17,

    /// <summary><c>GC.WaitForPendingFinalizers</c>: waits until the finalizer thread has run every queued finalizer;
    /// owned by the finalizer thread while it runs one.</summary>
    PendingFinalizers = 18,
}
