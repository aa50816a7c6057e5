namespace Brigade.Orleans.Protocol;

/// <summary>The version of the messages between the engine and the silos' worker grains: both must speak the same.</summary>
/// <remarks>A silo of another version rejects the work at Prepare, with a message that names both versions, before any
/// batch is sent; a silo too old to know the field answers 0 (version 1), and the engine leaves it out the same way.</remarks>
internal static class ClusterProtocol
{
    /// <summary>3: a batch carries the run's item policy (timeout and retry) and a failed item its attempts; 2: batch items and
    /// results carry the remote kit's value encoding (<c>Engines/Remote</c>); 1 was a bare JSON array.</summary>
    public const int Version = 3;

    /// <summary>Why a peer of <paramref name="other"/> cannot run this version's work, or <see langword="null"/> when it can.</summary>
    public static string? Mismatch(int other, string who) =>
        other == Version ? null : $"protocol v{(other == 0 ? 1 : other)} on the {who}, v{Version} here: silos and the engine must run the same version of Brigade.Orleans";
}
