namespace Brigade.Orleans.Tests.FaultInjection;

/// <summary>
/// What the cluster still calls once a run's last result is delivered (its monitor's checks in flight, the release of
/// its grains) must not fail the run: once every item finished, the run has succeeded.
/// </summary>
[Collection("cluster")]
[Trait("Category", "FaultInjection")]
public sealed class RunEndTests(ClusterFixture fixture)
{
    // Regression: SiloKillTests' localhost-primary kill once delivered all 6,000 results exactly once, then the stream
    // threw OrleansMessageRejectionException. The monitor's membership read goes to the dead primary and is rejected;
    // a rejection that reached the monitor after the run had stopped it escaped its filter (`when (!stop.IsCancellationRequested)`)
    // and became the run's exception. This pins that interleaving instead of waiting for it under load.
    [Fact(Timeout = 60_000)]
    public async Task AMembershipReadRejectedAsTheRunEnds_DoesNotFailTheFinishedRun()
    {
        var factory = new RejectingMembershipFactory(fixture.Cluster.Client);
        var engine = new ClusterEngine(factory, new ClusterEngineOptions { WorkersPerSilo = 2, MembershipCheckInterval = TimeSpan.FromMilliseconds(20) });

        // Every item held until the monitor's membership read is in flight: the read certainly spans the run's end.
        var held = Held.Close(1);
        var run = Runner.MapAsync(Enumerable.Range(0, 40), new Held(), new RunOptions { Engine = engine, BatchSize = 4 });
        try
        {
            await Task.WhenAll(held, factory.Held).WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            Held.Open();
        }

        var result = await run;

        Assert.Equal(Enumerable.Range(1, 40), result.Values);
        Assert.True(result.Report.IsSuccess, result.Report.ToString());
        Assert.Equal(1, factory.RejectedAfterStop);
    }
}
