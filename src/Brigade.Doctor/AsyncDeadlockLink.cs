namespace Brigade.Doctor;

/// <summary>One edge of an async deadlock: an async flow suspended in <c>SemaphoreSlim.WaitAsync</c> on a semaphore whose
/// slot another flow took (it passed that semaphore's <c>WaitAsync</c> and has not released it on the way to where it waits).</summary>
public sealed class AsyncDeadlockLink
{
    internal AsyncDeadlockLink(AwaitedTask flow, AsyncSemaphore semaphore, AwaitedTask heldBy, string heldAt)
    {
        Flow = flow;
        Semaphore = semaphore;
        HeldBy = heldBy;
        HeldAt = heldAt;
    }

    /// <summary>Gets the waiting flow: its outermost suspended async method, then what each awaits, down to the semaphore.</summary>
    public AwaitedTask Flow { get; }

    /// <summary>Gets the semaphore it waits on.</summary>
    public AsyncSemaphore Semaphore { get; }

    /// <summary>Gets the flow that took the semaphore's slot (the next link's flow).</summary>
    public AwaitedTask HeldBy { get; }

    /// <summary>Gets the await at which <see cref="HeldBy"/> took the slot, such as <c>_stock.WaitAsync() at Shop.cs:41</c>.</summary>
    public string HeldAt { get; }

    /// <summary>Gets the async method of <see cref="HeldBy"/> that passed the semaphore's <c>WaitAsync</c> (an outer method
    /// of the flow, when it holds the slot across an await of an inner one), or null when unknown.</summary>
    internal string? HeldInMethod { get; init; }
}
