using Brigade.Orleans.Tests.Review47;

namespace Brigade.Orleans.Tests.Review48;

/// <summary>
/// Review 48: `brigade cluster status` (<see cref="ClusterEngine.DiscoverAsync"/>) silently left out a silo that
/// membership holds active but that did not answer: "2 silos" on a three-silo cluster, nothing said. It is now listed as
/// not answering, with why, since when, and membership's view of it, and a run's plan says the same.
/// </summary>
[Collection("review47-half-refusing")]
public sealed class NotAnsweringSiloTests(HalfRefusingCluster fixture)
{
    [Fact(Timeout = 60_000)]
    public async Task ASiloThatDoesNotAnswer_IsListedWithWhySinceWhenAndMembershipsView_AndNamedInTheRunsPlan()
    {
        var engine = new ClusterEngine(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 2 });
        HalfRefusingCluster.Silent = true;
        try
        {
            var silos = await engine.DiscoverAllAsync();

            Assert.Equal(2, silos.Count);
            var silent = Assert.Single(silos, s => s.NotAnswering is not null);
            Assert.Equal(fixture.SilentSilo, silent.Address);
            Assert.Contains(HalfRefusingCluster.SilentFailure, silent.NotAnswering, StringComparison.Ordinal);
            Assert.StartsWith("active since ", silent.Membership, StringComparison.Ordinal);
            Assert.Equal(0, silent.Workers);
            Assert.Equal(2, engine.GetDefaultDegreeOfParallelism());
            var since = Assert.NotNull(silent.NotAnsweringSince);

            // DiscoverAsync keeps its meaning (the silos that answered); a second miss keeps the first one's time.
            Assert.DoesNotContain(await engine.DiscoverAsync(), s => s.Address == fixture.SilentSilo);
            Assert.Equal(since, Assert.Single(await engine.DiscoverAllAsync(), s => s.NotAnswering is not null).NotAnsweringSince);

            var result = await Runner.MapAsync(Enumerable.Range(0, 50), new Square(), new RunOptions { Engine = engine });

            Assert.Equal(50, result.Values.Count);
            Assert.Contains($"left out: {fixture.SilentSilo} (not answering (", result.Report.Plan, StringComparison.Ordinal);
            Assert.Contains("; membership: active since ", result.Report.Plan, StringComparison.Ordinal);
        }
        finally
        {
            HalfRefusingCluster.Silent = false;
        }

        // Answering again, it is listed as any other silo.
        Assert.All(await engine.DiscoverAllAsync(), s => Assert.Null(s.NotAnswering));
    }
}
