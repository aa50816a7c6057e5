namespace Brigade.Testing;

/// <summary>A bug an exploration found, with the seed that replays its schedule.</summary>
public sealed class ExplorationBug
{
    internal ExplorationBug(ExplorationBugKind kind, string message, string replaySeed, int schedule, int steps)
    {
        Kind = kind;
        Message = message;
        ReplaySeed = replaySeed;
        Schedule = schedule;
        Steps = steps;
    }

    /// <summary>Gets what was found.</summary>
    public ExplorationBugKind Kind { get; }

    /// <summary>Gets the report: the race, the deadlocked flows, the exception, or the bound exceeded.</summary>
    public string Message { get; }

    /// <summary>Gets the seed that replays the schedule, such as <c>pct:3:57:1234567</c>; pass it to <see cref="Explorer.Replay"/>.</summary>
    public string ReplaySeed { get; }

    /// <summary>Gets the number (from 1) of the schedule that found it.</summary>
    public int Schedule { get; }

    /// <summary>Gets how many scheduling steps the schedule had taken.</summary>
    public int Steps { get; }

    /// <summary>Returns the report with the replay seed.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Message}\nFound by schedule {Schedule} after {Steps} steps; replay it with seed {ReplaySeed}.";
}
