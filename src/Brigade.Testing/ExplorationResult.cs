namespace Brigade.Testing;

/// <summary>What an exploration did and found.</summary>
public sealed class ExplorationResult
{
    internal ExplorationResult(ExplorationBug? bug, int schedules, TimeSpan elapsed, int baseSeed)
    {
        Bug = bug;
        SchedulesExplored = schedules;
        Elapsed = elapsed;
        BaseSeed = baseSeed;
    }

    /// <summary>Gets whether a bug was found.</summary>
    public bool BugFound => Bug is not null;

    /// <summary>Gets the bug, or null.</summary>
    public ExplorationBug? Bug { get; }

    /// <summary>Gets how many schedules ran.</summary>
    public int SchedulesExplored { get; }

    /// <summary>Gets how long the exploration took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets the seed of the first schedule.</summary>
    public int BaseSeed { get; }

    /// <summary>Gets how many schedules ran per second.</summary>
    public double SchedulesPerSecond => Elapsed > TimeSpan.Zero ? SchedulesExplored / Elapsed.TotalSeconds : 0;

    /// <summary>Throws <see cref="ExplorationFailedException"/> if a bug was found (the message has the report and the replay seed).</summary>
    /// <exception cref="ExplorationFailedException">A bug was found.</exception>
    public void ThrowIfBugFound()
    {
        if (Bug is { } bug)
        {
            throw new ExplorationFailedException(bug);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Bug is { } bug
        ? bug.ToString()
        : $"No bug found in {SchedulesExplored} schedules ({Elapsed.TotalSeconds:0.00} s, base seed {BaseSeed}).";
}
