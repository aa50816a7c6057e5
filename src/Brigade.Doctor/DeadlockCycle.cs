namespace Brigade.Doctor;

/// <summary>A deadlock: threads each waiting for the next, the last for the first. None of them can ever proceed.</summary>
public sealed class DeadlockCycle
{
    internal DeadlockCycle(IReadOnlyList<DeadlockLink> links, IReadOnlyList<DiagnosedThread> alsoStuck)
    {
        Links = links;
        AlsoStuck = alsoStuck;
    }

    /// <summary>Gets the cycle's edges, in order: each link's holder is the next link's waiter.</summary>
    public IReadOnlyList<DeadlockLink> Links { get; }

    /// <summary>Gets the threads of the cycle.</summary>
    public IEnumerable<DiagnosedThread> Threads => Links.Select(l => l.Waiter);

    /// <summary>Gets other threads that wait, directly or not, for a thread of the cycle: stuck behind it forever.</summary>
    public IReadOnlyList<DiagnosedThread> AlsoStuck { get; }

    /// <summary>Gets whether the cycle is only possible: at least one of its waits is a <c>Monitor.TryEnter</c> or
    /// <c>Lock.TryEnter</c> whose timeout a dump cannot show. With <c>Timeout.Infinite</c> it is a deadlock; with a finite
    /// timeout the wait gives up.</summary>
    public bool IsPossible { get; internal init; }
}
