namespace Brigade.Analyzers.LockOrder;

/// <summary>How a lock is taken: exclusively, as a reader, or as an upgradeable reader.</summary>
internal enum LockMode
{
    /// <summary>Alone: every other holder waits for it (lock, Monitor, a write lock, a semaphore of one).</summary>
    Exclusive,

    /// <summary>As a reader (<c>EnterReadLock</c>, <c>AcquireRead</c>): shares the lock with readers and an upgradeable reader.</summary>
    Read,

    /// <summary>As an upgradeable reader (<c>EnterUpgradeableReadLock</c>): shares the lock with readers only.</summary>
    Upgradeable,
}
