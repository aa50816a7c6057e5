namespace Brigade.Doctor;

/// <summary>One edge of a deadlock cycle: a thread, what it waits on, and the thread it waits for.</summary>
public sealed class DeadlockLink
{
    internal DeadlockLink(DiagnosedThread waiter, DiagnosedThread holder)
    {
        Waiter = waiter;
        Holder = holder;
    }

    /// <summary>Gets the waiting thread.</summary>
    public DiagnosedThread Waiter { get; }

    /// <summary>Gets the waiting thread's wait.</summary>
    public ThreadWait Wait => Waiter.Wait!;

    /// <summary>Gets the thread it waits for (which holds the lock, is being joined, or runs the awaited task).</summary>
    public DiagnosedThread Holder { get; }
}
