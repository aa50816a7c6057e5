using Brigade.Reporting;

namespace Brigade.Orleans.Dispatch;

/// <summary>How a silo that dropped out of the cluster's active members left, from its membership table entry.</summary>
/// <remarks>A silo that stops gracefully writes its own entry: ShuttingDown, then Stopping, then Dead. One that stops
/// answering (killed, crashed, its machine down, cut off the network) writes nothing: the others probe it, vote their
/// suspicions into its entry (<see cref="MembershipEntry.SuspectTimes"/>), and the one whose vote completes the quorum
/// writes it Dead, adding itself to the votes. So Dead with votes is a death the others declared; any other status, or Dead
/// without votes, is a silo that shut itself down. A silo once suspected that recovered and later stopped gracefully
/// would keep its stale votes and read as declared dead. Not used by the run's monitor yet (cluster68): a silo stopping
/// gracefully can itself be voted dead mid-shutdown (the in-process test cluster's, every time), so Dead with votes does
/// not prove a kill; telling them apart needs more than the entry (its ShuttingDown status seen before, say).</remarks>
internal static class SiloDeparture
{
    /// <summary>The reason of a silo that left by itself (or whose entry the run could not read).</summary>
    public const string LeftReason = "it left the cluster";

    /// <summary>Returns why a silo left, from its entry (<see langword="null"/>: not read, or no longer in the table).</summary>
    public static (string Reason, LostSiloCause Cause) Of(MembershipEntry? entry) =>
        entry is { Status: SiloStatus.Dead, SuspectTimes.Count: > 0 }
            ? (LostSilo.DeclaredDeadReason, LostSiloCause.DeclaredDead)
            : (LeftReason, LostSiloCause.Left);
}
