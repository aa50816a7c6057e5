using System.Net;
using Brigade.Orleans.Dispatch;
using Brigade.Reporting;

namespace Brigade.Orleans.Tests.Review50;

/// <summary>
/// Review 50: a cluster run that stopped early (its caller cancelled, or <see cref="FailureMode.StopOnFirstFailure"/>
/// tripped) recorded no lost silo, so neither its report's losses nor its plan named a silo that died during it. What
/// ClusterRun records, from its silos' states: no cluster (the decision is a function of the states).
/// </summary>
public sealed class EarlyStopLostSiloTests
{
    private const string Reason = "it left the cluster";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASiloLostDuringTheRun_IsRecorded_WhetherTheRunFinishedOrStoppedEarly(bool stoppedEarly)
    {
        using var a = Silo(1);
        using var b = Silo(2);
        b.MarkLost(Reason, LostSiloCause.Left);

        var (lost, plan) = ClusterRun<int, int>.LostToRecord([a, b], stoppedEarly, failed: false);

        // Before: a run that stopped early recorded nothing (and its plan said nothing).
        Assert.Equal(new LostSilo(b.Name, Reason), Assert.Single(lost));
        Assert.Equal(
            stoppedEarly ? $"; lost before the run stopped: {b.Name} ({Reason})" : $"; lost during the run: {b.Name} ({Reason}), its batches ran on the others",
            plan);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARunTheClusterFailed_RecordsTheSilosLostBeforeItsStall_NotTheStallsOwnMarking(bool stoppedEarly)
    {
        // A stall marks every silo lost ("the run stalled") as it fails the run: no news of those silos. Before lib52 a
        // failed run recorded none at all, so the silo that left the cluster before the stall was on no report.
        using var a = Silo(1);
        using var b = Silo(2);
        a.MarkLost(Reason, LostSiloCause.Left);
        a.MarkLost("the run stalled", LostSiloCause.Unresponsive, stall: true);
        b.MarkLost("the run stalled", LostSiloCause.Unresponsive, stall: true);

        var (lost, plan) = ClusterRun<int, int>.LostToRecord([a, b], stoppedEarly, failed: true);

        Assert.Equal(new LostSilo(a.Name, Reason), Assert.Single(lost));
        Assert.Equal($"; lost before the run stopped: {a.Name} ({Reason})", plan);
        Assert.True(b.LostToStall);
        Assert.False(a.LostToStall);
    }

    [Fact]
    public void NoSiloLost_NothingRecorded()
    {
        using var a = Silo(1);
        var (lost, plan) = ClusterRun<int, int>.LostToRecord([a], stoppedEarly: true, failed: false);
        Assert.Empty(lost);
        Assert.Equal("", plan);
    }

    private static SiloState Silo(int n)
    {
        var address = SiloAddress.New(new IPEndPoint(IPAddress.Parse($"10.0.0.{n}"), 11111), 1);
        return new SiloState(address, $"10.0.0.{n}:11111", workers: 1);
    }
}
