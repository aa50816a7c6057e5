namespace Brigade.Diagnostics;

/// <summary>
/// The stable codes of <see cref="PitfallReport"/>s. A code never changes meaning; the number is also the
/// <see cref="Microsoft.Extensions.Logging.EventId"/> of the matching log entry.
/// </summary>
public static class PitfallCodes
{
    /// <summary><c>BRG1001</c>: a real deadlock; the message starts with <c>Deadlock detected:</c>.</summary>
    public const string Deadlock = "BRG1001";

    /// <summary><c>BRG1002</c>: a lock-order inversion; the message starts with <c>Potential deadlock (lock-order inversion):</c>.</summary>
    public const string LockOrderInversion = "BRG1002";

    /// <summary><c>BRG1003</c>: a starved waiter; the message starts with <c>Starvation detected:</c>.</summary>
    public const string Starvation = "BRG1003";

    /// <summary><c>BRG1004</c>: thread-pool starvation; the message starts with <c>Thread-pool starvation detected:</c>.</summary>
    public const string ThreadPoolStarvation = "BRG1004";

    /// <summary><c>BRG1006</c>: a data race on a tracked variable; the message starts with <c>Data race detected:</c>.</summary>
    /// <remarks>1005 is not a pitfall code: it is the event id of the thread pool's recovery log entry.</remarks>
    public const string DataRace = "BRG1006";

    /// <summary><c>BRG1007</c>: a livelock (busy without progress, or polite back-off against each other); the message starts with <c>Livelock detected:</c>.</summary>
    public const string Livelock = "BRG1007";

    /// <summary><c>BRG1008</c>: watched flows blocked without progress (no CPU); the message starts with <c>Hang detected:</c>.</summary>
    public const string Hang = "BRG1008";

    /// <summary>Gets the code of a kind of pitfall.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The stable code, such as <c>BRG1001</c>.</returns>
    public static string For(PitfallKind kind) => kind switch
    {
        PitfallKind.Deadlock => Deadlock,
        PitfallKind.LockOrderInversion => LockOrderInversion,
        PitfallKind.Starvation => Starvation,
        PitfallKind.ThreadPoolStarvation => ThreadPoolStarvation,
        PitfallKind.DataRace => DataRace,
        PitfallKind.Livelock => Livelock,
        PitfallKind.Hang => Hang,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown pitfall kind"),
    };
}
