using Brigade.Reporting;

namespace Brigade.Cli.Demo.Model;

/// <summary>One cause of a run's lost speedup in the demo document.</summary>
internal sealed class LossRecord
{
    /// <summary>The cause: <c>start-up</c>, <c>imbalance</c>, <c>overhead</c>, <c>waiting-for-core</c>, <c>gc-pauses</c>, <c>lock-contention</c>, <c>blocking</c>, <c>unexplained</c>.</summary>
    public required string Cause { get; init; }

    /// <summary>Worker time lost to it.</summary>
    public double Seconds { get; init; }

    /// <summary>Its fraction of the gap.</summary>
    public double Share { get; init; }

    /// <summary>One sentence saying what was measured.</summary>
    public required string Description { get; init; }

    /// <summary>The stable name of <paramref name="cause"/> in JSON.</summary>
    public static string Name(LossCause cause) => cause switch
    {
        LossCause.StartUp => "start-up",
        LossCause.Imbalance => "imbalance",
        LossCause.Overhead => "overhead",
        LossCause.WaitingForCore => "waiting-for-core",
        LossCause.GcPauses => "gc-pauses",
        LossCause.LockContention => "lock-contention",
        LossCause.Blocking => "blocking",
        LossCause.WidthChange => "width-change",
        LossCause.InputEnd => "input-end",
        LossCause.SharedResource => "shared-resource",
        _ => "unexplained",
    };
}
