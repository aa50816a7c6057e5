namespace Brigade.Testing;

/// <summary>What an exploration found.</summary>
public enum ExplorationBugKind
{
    /// <summary>A data race on a tracked variable (<c>Shared&lt;T&gt;</c>), reported by the race detector.</summary>
    DataRace = 1,

    /// <summary>Every unfinished flow waits for a Brigade primitive or another flow that can never come.</summary>
    Deadlock = 2,

    /// <summary>A flow threw: a failed assertion or any other exception.</summary>
    AssertionFailure = 3,

    /// <summary>The schedule made more scheduling steps than <see cref="ExplorationOptions.MaxSteps"/>: no progress within the bound.</summary>
    Livelock = 4,

    /// <summary>A flow blocked on something the explorer does not control (a plain lock, a sleep, I/O) for longer than <see cref="ExplorationOptions.ScheduleTimeout"/>.</summary>
    Hang = 5,
}
