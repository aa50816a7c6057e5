using Orleans.Configuration;

namespace Brigade.Cli.Commands;

/// <summary>
/// <c>brigade silo --failure-detection default|fast</c>: how soon the cluster declares a silo that stopped answering dead.
/// </summary>
/// <remarks>
/// Orleans' defaults are made for large production clusters: a probe times out after 5 s and a silo is suspected after
/// three missed probes, so a killed silo stays "active" for 15-30 s, and calls to the grains it held, the directory
/// partitions it owned, wait until then. <c>fast</c> probes every 2 s instead (the effective timeout still adapts to the
/// observed answers, between half and four times that, and grows while the silo's own host is degraded; a silo whose
/// connection carries messages is still not voted dead): for a small cluster on one network, and for tests that only
/// need a failover to happen. Everything else (two votes, three missed probes, gossip) stays Orleans'.
/// </remarks>
internal static class SiloFailureDetection
{
    /// <summary>The default: Orleans' own timings.</summary>
    public const string Default = "default";

    /// <summary>Shorter probes.</summary>
    public const string FastName = "fast";

    /// <summary>The probe timeout of <c>fast</c> (Orleans' default: 5 s).</summary>
    public static readonly TimeSpan FastProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Whether the option's value asks for fast detection; anything but the two names is a usage error.</summary>
    public static bool IsFast(string value) => value switch
    {
        Default => false,
        FastName => true,
        _ => throw new CliUsageException($"--failure-detection: '{value}' is not one of default, fast"),
    };

    /// <summary>Applies <c>fast</c> to Orleans' membership options.</summary>
    public static void Fast(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = FastProbeTimeout;
        options.MinProbeTimeout = FastProbeTimeout / 2;
        options.MaxProbeTimeout = FastProbeTimeout * 4;
    }
}
