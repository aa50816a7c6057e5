namespace Brigade.Doctor.Corpus;

/// <summary>The label of a scenario: the finding and the threads it names.</summary>
public sealed record Expectation(Finding Finding)
{
    /// <summary>Gets each deadlock cycle's thread names (every member, in any order).</summary>
    public string[][] Cycles { get; init; } = [];

    /// <summary>Gets the names of threads stuck behind a cycle without being in it.</summary>
    public string[] AlsoStuck { get; init; } = [];

    /// <summary>Gets the names of threads that must be listed as blocked with no owner to blame.</summary>
    public string[] Blocked { get; init; } = [];

    /// <summary>Gets the wait kind (Brigade.Doctor.WaitKind's name) of the blocked threads, or of the cycle's waits.</summary>
    public string[] WaitKinds { get; init; } = [];

    /// <summary>Gets how many pool threads at least must be named as blocked on tasks.</summary>
    public int SyncOverAsyncPoolThreads { get; init; }

    /// <summary>Gets text the awaited task chain of a sync-over-async wait must contain.</summary>
    public string? TaskChainContains { get; init; }

    /// <summary>Gets the field or static named as holding a waited lock, if the report must name it.</summary>
    public string? HeldIn { get; init; }

    /// <summary>Gets, for <see cref="Finding.AsyncDeadlock"/>, the async methods of the flows of the cycle (their innermost
    /// suspended methods, as <c>Type.Method</c> suffixes).</summary>
    public string[] AsyncCycle { get; init; } = [];

    /// <summary>Gets, for <see cref="Finding.Hang"/>, each hang's threads, ended task and <c>Release</c> line (review 65).</summary>
    public ExpectedHang[] Hangs { get; init; } = [];

    /// <summary>Gets text the report must contain.</summary>
    public string? TextContains { get; init; }
}
