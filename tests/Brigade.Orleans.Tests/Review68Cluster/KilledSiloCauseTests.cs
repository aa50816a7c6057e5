using Brigade.Orleans.Dispatch;
using Brigade.Reporting;

namespace Brigade.Orleans.Tests.Review68Cluster;

/// <summary>
/// Cluster68: a silo killed with SIGKILL mid-run was reported "lost during the run: ... (it left the cluster)". What the
/// membership table's entry says of a silo that dropped out (<see cref="SiloDeparture"/>): Dead with the others' suspicion
/// votes is a death they declared; ShuttingDown, Stopping, or Dead without votes, a silo that shut itself down. Not wired
/// into the run's monitor: a silo stopped gracefully in the in-process test cluster was itself voted dead mid-shutdown
/// (Review47.LostSiloSummaryTests then read "declared it dead"), so the entry alone cannot tell the two apart.
/// </summary>
public sealed class KilledSiloCauseTests
{
    private static MembershipEntry Entry(SiloStatus status, params SiloAddress[] suspectors) => new()
    {
        SiloAddress = SiloAddress.FromParsableString("127.0.0.1:11112@1"),
        Status = status,
        SuspectTimes = [.. suspectors.Select(static s => Tuple.Create(s, DateTime.UtcNow))],
    };

    [Fact]
    public void TheMembershipEntryTellsADeclaredDeathFromAShutdown()
    {
        var other = SiloAddress.FromParsableString("127.0.0.1:11111@1");

        Assert.Equal(LostSiloCause.DeclaredDead, SiloDeparture.Of(Entry(SiloStatus.Dead, other)).Cause);
        Assert.Equal(LostSilo.DeclaredDeadReason, SiloDeparture.Of(Entry(SiloStatus.Dead, other)).Reason);
        Assert.Equal((SiloDeparture.LeftReason, LostSiloCause.Left), SiloDeparture.Of(Entry(SiloStatus.Dead)));
        Assert.Equal((SiloDeparture.LeftReason, LostSiloCause.Left), SiloDeparture.Of(Entry(SiloStatus.ShuttingDown)));
        Assert.Equal((SiloDeparture.LeftReason, LostSiloCause.Left), SiloDeparture.Of(Entry(SiloStatus.Stopping)));
        Assert.Equal((SiloDeparture.LeftReason, LostSiloCause.Left), SiloDeparture.Of(null));
    }
}
