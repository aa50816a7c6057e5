namespace Brigade.Diagnostics;

/// <summary>The kinds of concurrency pitfall Brigade detects and reports through <see cref="PitfallDiagnostics"/>.</summary>
public enum PitfallKind
{
    /// <summary>A real deadlock: a cycle of waiters, none of which can ever proceed (<see cref="PitfallCodes.Deadlock"/>).</summary>
    Deadlock = 1,

    /// <summary>A potential deadlock: two locks taken in opposite orders by different paths (<see cref="PitfallCodes.LockOrderInversion"/>).</summary>
    LockOrderInversion = 2,

    /// <summary>A waiter that keeps waiting while the resource is granted to others (<see cref="PitfallCodes.Starvation"/>).</summary>
    Starvation = 3,

    /// <summary>Work queued on the .NET thread pool that is not being picked up (<see cref="PitfallCodes.ThreadPoolStarvation"/>).</summary>
    ThreadPoolStarvation = 4,

    /// <summary>Two accesses to a tracked variable, at least one a write, that no synchronization ordered (<see cref="PitfallCodes.DataRace"/>).</summary>
    DataRace = 6,

    /// <summary>Flows that stay busy (consuming CPU) without making progress, or keep backing off from each other (<see cref="PitfallCodes.Livelock"/>).</summary>
    Livelock = 7,

    /// <summary>Watched flows that make no progress and use no CPU: blocked, as in a deadlock outside Brigade's locks (<see cref="PitfallCodes.Hang"/>).</summary>
    Hang = 8,
}
