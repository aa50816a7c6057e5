namespace Brigade.Testing.Conformance.Work;

/// <summary>
/// One item of a conformance case: its value and what the work does with it. It travels with the item, so the same
/// behaviour happens wherever the engine runs the item (this process, a worker process, a silo).
/// </summary>
/// <param name="Value">The item's value; the work's result is <c>Value * 3 + 1</c> (<see cref="Transform"/>) or its text (<see cref="ToText"/>).</param>
public sealed record ConformanceItem(int Value)
{
    /// <summary>Gets the gate the item reports to (started, finished) and may wait on; <see langword="null"/> for none.</summary>
    public string? Gate { get; init; }

    /// <summary>Gets what the item waits for once started.</summary>
    public ConformanceHold Hold { get; init; }

    /// <summary>Gets how many items must have started before an item held by <see cref="ConformanceHold.UntilStarted"/> goes on.</summary>
    public int HoldCount { get; init; }

    /// <summary>Gets whether the item fails, with <see cref="InvalidOperationException"/>("item N broke"), after its hold.</summary>
    public bool Fail { get; init; }

    /// <summary>Gets how many of the item's first runs fail, with <see cref="InvalidOperationException"/>("item N broke"):
    /// a transient failure that a retry gets past. Its <see cref="Gate"/> counts the runs, wherever they happen; 0 for none.</summary>
    public int FailRuns { get; init; }

    /// <summary>Gets how long the item takes, in milliseconds, before it returns: synchronous work sleeps through it,
    /// asynchronous work waits on its token (so an item timeout cancels it); 0 for none.</summary>
    public int SleepMilliseconds { get; init; }

    /// <summary>Gets how many spin iterations the item burns before returning: a little CPU, so items overlap.</summary>
    public int Spin { get; init; }
}
