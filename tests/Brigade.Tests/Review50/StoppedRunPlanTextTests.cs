using Brigade.Reporting;

namespace Brigade.Tests.Review50;

/// <summary>
/// Review 50: a cluster run that stopped early now records the silos it lost (Brigade.Orleans' ClusterRun; its decision is
/// tested in Brigade.Orleans.Tests' Review50). Its plan does not claim their batches ran on the others: after a stop, what
/// a lost silo had in flight may not have run anywhere.
/// </summary>
public sealed class StoppedRunPlanTextTests
{
    private const string C = "10.0.0.3:11111";
    private const string Reason = "it left the cluster";

    [Fact]
    public void AStoppedRunsPlan_NamesTheLostSilos_WithoutSayingTheirBatchesRanElsewhere()
    {
        Assert.Equal($"; lost before the run stopped: {C} ({Reason})", LostSilo.PlanText([new LostSilo(C, Reason)], stoppedEarly: true));
        Assert.Equal("", LostSilo.PlanText([], stoppedEarly: true));

        // A run that finished reads as before (review 49's ThePlansText_ReadsAsBefore).
        Assert.Equal($"; lost during the run: {C} ({Reason}), its batches ran on the others", LostSilo.PlanText([new LostSilo(C, Reason)]));
    }
}
