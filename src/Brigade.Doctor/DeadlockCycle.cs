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
}
