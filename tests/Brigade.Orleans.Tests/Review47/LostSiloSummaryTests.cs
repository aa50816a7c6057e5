namespace Brigade.Orleans.Tests.Review47;

/// <summary>
/// Review 47: a run that lost a silo and finished on the others said nothing of it: its plan still read "2 silos (...)",
/// and `brigade run`'s summary looked like a run without a fault (only a failed run named its lost silos). The plan now
/// names the silo lost and why.
/// </summary>
[Collection("review47-half-refusing")]
public sealed class LostSiloSummaryTests(HalfRefusingCluster fixture)
{
    [Fact(Timeout = 60_000)]
    public async Task ASiloLostMidRun_IsNamedInTheFinishedRunsPlan()
    {
        HalfRefusingCluster.Mode = HalfRefusingCluster.Refusal.Shape;
        var extra = await fixture.Cluster.StartAdditionalSiloAsync();
        var stopped = false;
        try
        {
            var engine = await ClusterEngine.ConnectAsync(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 2 });

            // The run takes the silos active when it starts: the one just started may not be yet, and a run that never had
            // it does not lose it (as SiloLossTests, ci120).
            var extraName = extra.SiloAddress.Endpoint.ToString();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!(await engine.DiscoverAsync()).Any(s => s.Address == extraName && s.NotAnswering is null))
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the extra silo never became active");
                await Task.Delay(100);
            }

            var started = R47Slow.Reset(40);
            var run = Runner.MapAsync(Enumerable.Range(0, 400), new R47Slow(), new RunOptions { Engine = engine, BatchSize = 4 });

            await started.WaitAsync(TimeSpan.FromSeconds(20));
            await fixture.Cluster.StopSiloAsync(extra);
            stopped = true;
            var result = await run.WaitAsync(TimeSpan.FromSeconds(40));

            Assert.Equal(Enumerable.Range(0, 400), result.Values);
            Assert.Contains($"lost during the run: {extra.SiloAddress.Endpoint} (it left the cluster)", result.Report.Plan, StringComparison.Ordinal);
        }
        finally
        {
            if (!stopped)
            {
                await fixture.Cluster.StopSiloAsync(extra);
            }
        }
    }
}
