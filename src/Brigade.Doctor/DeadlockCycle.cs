namespace Brigade.Doctor;

/// <summary>A deadlock: threads (or async flows) each waiting for the next, the last for the first. None of them can ever proceed.</summary>
public sealed class DeadlockCycle
{
    internal DeadlockCycle(IReadOnlyList<DeadlockLink> links, IReadOnlyList<DiagnosedThread> alsoStuck)
    {
        Links = links;
        AlsoStuck = alsoStuck;
    }

    /// <summary>Gets the cycle's edges, in order: each link's holder is the next link's waiter. Empty for a cycle with no
    /// thread in it (see <see cref="AsyncLinks"/> and <see cref="AwaitLinks"/>).</summary>
    public IReadOnlyList<DeadlockLink> Links { get; }

    /// <summary>Gets the threads of the cycle.</summary>
    public IEnumerable<DiagnosedThread> Threads => Links.Select(l => l.Waiter);

    /// <summary>Gets other threads that wait, directly or not, for a thread of the cycle: stuck behind it forever.</summary>
    public IReadOnlyList<DiagnosedThread> AlsoStuck { get; }

    /// <summary>Gets, for a deadlock among async flows (no thread in it: <see cref="Links"/> is empty), its edges in
    /// order: each flow waits on a <c>SemaphoreSlim</c> whose slot the next flow took. Empty for a cycle of threads, and for a
    /// cycle of awaits (<see cref="AwaitLinks"/>).</summary>
    public IReadOnlyList<AsyncDeadlockLink> AsyncLinks { get; internal init; } = [];

    /// <summary>Gets whether the cycle is only possible: at least one of its waits is a <c>Monitor.TryEnter</c> or
    /// <c>Lock.TryEnter</c> whose timeout a dump cannot show. With <c>Timeout.Infinite</c> it is a deadlock; with a finite
    /// timeout the wait gives up. A cycle of async flows (<see cref="AsyncLinks"/>) is always only possible: a
    /// <c>SemaphoreSlim</c> records no owner, so the dump shows that a flow passed a <c>WaitAsync</c> without a
    /// <c>Release</c> on its way, not that it still holds the slot. So is a cycle of threads holding every slot of a
    /// <c>SemaphoreSlim</c> while blocked on a <c>Parallel.ForEachAsync</c> whose bodies wait on it (a throttle held across
    /// a nested loop), for the same reason. A cycle of async methods awaiting each other's tasks (review 57) is certain when
    /// every link is an await the heap shows, and possible when a link is inferred (a completion source's only completer,
    /// an async lock's only holder).</summary>
    public bool IsPossible { get; internal init; }

    /// <summary>Gets, for a thread waiting on a <c>SemaphoreSlim</c> whose only slot it took itself, where it took it
    /// (the method that called <c>Wait</c> earlier on its stack); null otherwise.</summary>
    internal string? SlotTakenAt { get; init; }

    /// <summary>Gets, for threads holding every slot of a <c>SemaphoreSlim</c> while blocked on a
    /// <c>Parallel.ForEachAsync</c> whose bodies wait on it, the semaphore, its holders and the waiting bodies; null
    /// otherwise.</summary>
    internal Analysis.ThrottleDeadlocks.Throttle? Throttle { get; init; }

    /// <summary>Gets, for async methods awaiting each other's tasks in a cycle (no thread blocked: <see cref="Links"/> and
    /// <see cref="AsyncLinks"/> are empty), its steps in order, each with why it waits for the next one, the last for the
    /// first; empty for other cycles. <see cref="IsPossible"/> when a link is not <see cref="AwaitLinkKind.Awaits"/>.</summary>
    public IReadOnlyList<AwaitCycleLink> AwaitLinks { get; private init; } = [];

    /// <summary>Gets, for async methods awaiting each other's tasks in a cycle (review 57: no thread blocked, no semaphore
    /// alone), the cycle's steps; null otherwise. Sets <see cref="AwaitLinks"/>, the public view of the same steps.</summary>
    internal Analysis.AwaitCycles.Cycle? AwaitCycle
    {
        get => _awaitCycle;
        init
        {
            _awaitCycle = value;
            AwaitLinks = value is null ? [] : [.. value.Steps.Select(s => new AwaitCycleLink(s.Task, Kind(s.ToNext), s.Evidence))];
        }
    }

    private readonly Analysis.AwaitCycles.Cycle? _awaitCycle;

    private static AwaitLinkKind Kind(Analysis.AwaitCycles.Link link) => link switch
    {
        Analysis.AwaitCycles.Link.Completes => AwaitLinkKind.Completes,
        Analysis.AwaitCycles.Link.Holds => AwaitLinkKind.HoldsSemaphoreSlot,
        Analysis.AwaitCycles.Link.HoldsLock => AwaitLinkKind.HoldsLock,
        Analysis.AwaitCycles.Link.OnlyReader => AwaitLinkKind.OnlyReader,
        Analysis.AwaitCycles.Link.Mailbox => AwaitLinkKind.Mailbox,
        _ => AwaitLinkKind.Awaits,
    };
}
