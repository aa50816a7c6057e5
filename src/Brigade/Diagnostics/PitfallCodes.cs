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

    /// <summary>Gets the code of a kind of pitfall.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The stable code, such as <c>BRG1001</c>.</returns>
    public static string For(PitfallKind kind) => kind switch
    {
        PitfallKind.Deadlock => Deadlock,
        PitfallKind.LockOrderInversion => LockOrderInversion,
        PitfallKind.Starvation => Starvation,
        PitfallKind.ThreadPoolStarvation => ThreadPoolStarvation,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown pitfall kind"),
    };
}
