using Brigade.Reporting;

namespace Brigade.Tests.Review59Lead;

/// <summary>
/// Cluster59 noticed: a silo frozen mid-run (SIGSTOP: still a member, answering nothing) was dropped by the run ("it
/// answered nothing for 12 s"), and "why not faster" sent the reader to "the silo's log says why it left", where nothing
/// was written. The advice now follows how the silo was lost.
/// </summary>
public sealed class LostSiloAdviceTests
{
    private const string C = "10.0.0.3:11111";

    [Fact]
    public void ASiloThatStoppedAnswering_IsNotSentToItsLog()
    {
        var losses = Review48Insight.LostSiloLossTests.ClusterRun("3 silos", [new LostSilo(C, "it answered nothing for 12 s", LostSiloCause.Unresponsive)]).Losses;

        var advice = Assert.Single(losses.Advice, a => a.Contains($"silo {C} lost during the run", StringComparison.Ordinal));
        Assert.DoesNotContain("says why it left", advice, StringComparison.Ordinal);
        Assert.Contains("stopped answering mid-run while still a member of the cluster", advice, StringComparison.Ordinal);
        Assert.Contains("look at its machine", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void ASiloThatLeft_IsSentToItsLog()
    {
        var losses = Review48Insight.LostSiloLossTests.ClusterRun("3 silos", [new LostSilo(C, "it left the cluster")]).Losses;

        var advice = Assert.Single(losses.Advice, a => a.Contains($"silo {C} lost during the run", StringComparison.Ordinal));
        Assert.Contains("a silo left mid-run", advice, StringComparison.Ordinal);
        Assert.Contains("if it shut itself down, its log says why; if the other silos declared it dead (killed, crashed, cut off), its log says nothing", advice, StringComparison.Ordinal);
        Assert.Contains("and smaller batches (BatchSize) lose less when one does", advice, StringComparison.Ordinal);
    }
}
