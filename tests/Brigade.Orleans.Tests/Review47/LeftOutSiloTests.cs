namespace Brigade.Orleans.Tests.Review47;

/// <summary>
/// Review 47: a silo left out of a run (another build of the work's types, another protocol version) was named in the
/// run's plan without the reason, which only that silo's log had; `brigade cluster status` listed a silo of another
/// protocol version as any other; and the run's width counted the left-out silo's slots ("cluster ×6" when 4 slots ran).
/// </summary>
[Collection("review47-half-refusing")]
public sealed class LeftOutSiloTests(HalfRefusingCluster fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task ASiloLeftOut_IsNamedInThePlanWithItsReason()
    {
        HalfRefusingCluster.Mode = HalfRefusingCluster.Refusal.Shape;
        var engine = await ClusterEngine.ConnectAsync(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 2 });

        var result = await Runner.MapAsync(Enumerable.Range(0, 100), new Square(), new RunOptions { Engine = engine });

        Assert.Equal(100, result.Values.Count);
        Assert.Contains($"left out: {fixture.RefusingSilo} ({HalfRefusingCluster.ShapeRefusal})", result.Report.Plan, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ASiloLeftOut_IsNotCountedInTheRunsWidth()
    {
        HalfRefusingCluster.Mode = HalfRefusingCluster.Refusal.Shape;
        // Discovery sees two silos of 2 slots (no work type is named there); the run has the accepting silo's 2.
        var engine = await ClusterEngine.ConnectAsync(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 2 });
        Assert.Equal(4, engine.GetDefaultDegreeOfParallelism());

        var result = await Runner.MapAsync(Enumerable.Range(0, 100), new Square(), new RunOptions { Engine = engine });

        Assert.Equal(2, result.Report.DegreeOfParallelism);
        Assert.StartsWith("cluster ×2", result.Report.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, engine.GetDefaultDegreeOfParallelism());
    }

    [Fact(Timeout = 30_000)]
    public async Task ASiloOfAnotherProtocolVersion_IsMarkedByDiscovery_AndNotCountedInTheWidth()
    {
        HalfRefusingCluster.Mode = HalfRefusingCluster.Refusal.Protocol;
        try
        {
            var engine = new ClusterEngine(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 2 });

            var silos = await engine.DiscoverAsync();

            Assert.Equal(2, silos.Count);
            var refusing = Assert.Single(silos, s => s.Address == fixture.RefusingSilo);
            Assert.Contains("protocol v2 on the silo", refusing.Refusal, StringComparison.Ordinal);
            Assert.Null(Assert.Single(silos, s => s.Address != fixture.RefusingSilo).Refusal);
            Assert.Equal(2, engine.GetDefaultDegreeOfParallelism());
        }
        finally
        {
            HalfRefusingCluster.Mode = HalfRefusingCluster.Refusal.Shape;
        }
    }
}
