namespace Brigade.Diagnostics;

/// <summary>Names of the instruments pitfall detection publishes on the <see cref="BrigadeTelemetry.MeterName"/> meter.</summary>
public static class PitfallTelemetry
{
    /// <summary>Counter of pitfall reports, tagged <see cref="CodeTag"/> and <see cref="KindTag"/>.</summary>
    public const string PitfallsDetected = "brigade.pitfalls";

    /// <summary>Counter of acquisitions of Brigade synchronization primitives that had to wait, tagged <see cref="PrimitiveTag"/>.</summary>
    public const string LockContentions = "brigade.lock.contentions";

    /// <summary>Histogram of how long acquisitions that had to wait waited, in seconds, tagged <see cref="PrimitiveTag"/>.</summary>
    public const string LockWaitDuration = "brigade.lock.wait.duration";

    /// <summary>Tag with a report's stable code, such as <c>BRG1001</c>.</summary>
    public const string CodeTag = "brigade.pitfall.code";

    /// <summary>Tag with a report's kind, such as <c>Deadlock</c>.</summary>
    public const string KindTag = "brigade.pitfall.kind";

    /// <summary>Tag with the kind of primitive: <c>lock</c>, <c>semaphore</c> or <c>rwlock</c>.</summary>
    public const string PrimitiveTag = "brigade.lock.kind";
}
