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
}
