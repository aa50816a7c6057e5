namespace Brigade.Synchronization;

/// <summary>How a Brigade synchronization primitive chooses who gets it next.</summary>
public enum LockFairness
{
    /// <summary>
    /// A released primitive goes to whoever takes it first: the releasing thread itself, a newcomer, or the woken waiter
    /// (which then competes). Fastest, like <see cref="System.Threading.Lock"/> and <see cref="SemaphoreSlim"/>; a greedy
    /// thread can starve a waiter, which starvation tracking reports.
    /// </summary>
    Unfair = 0,

    /// <summary>
    /// FIFO hand-off: a released primitive is handed to the longest waiter, and newcomers queue behind waiters. No waiter
    /// starves; each hand-off costs a context switch.
    /// </summary>
    Fair = 1,
}
