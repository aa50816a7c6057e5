using Brigade.Orleans.Dispatch;
using Brigade.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Brigade.Orleans.Tests.Review68Cluster;

/// <summary>
/// Cluster68: a silo killed with SIGKILL mid-run was reported "lost during the run: ... (it left the cluster)", and the
/// losses sent the reader to "the silo's log says why it left": a killed process writes nothing. The run now reads the
/// membership table's entry of a silo that drops out: one the others declared dead (status Dead, with their suspicion
/// votes) is told from one that shut itself down (ShuttingDown, Stopping, or Dead by its own hand: no votes).
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

    [Fact(Timeout = 60_000)]
    public async Task ASiloKilledMidRun_IsReportedDeclaredDead_NotLeft()
    {
        // Failure detection fast enough that the others declare the killed silo dead before the run's own bound for a
        // silo that answers nothing (UnresponsiveSiloTimeout, raised here) would drop it as unresponsive.
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddBrigadeWorkers(typeof(R68Slow).Assembly);
            silo.Services.Configure<ClusterMembershipOptions>(static o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var log = new EventLog();
        var engine = await ClusterEngine.ConnectAsync(cluster.Client, new ClusterEngineOptions
        {
            WorkersPerSilo = 2,
            UnresponsiveSiloTimeout = TimeSpan.FromSeconds(60),
            StallTimeout = TimeSpan.FromSeconds(60),
        }, log);

        var started = R68Slow.Reset(40);
        var run = Runner.MapAsync(Enumerable.Range(0, 200), new R68Slow(), new RunOptions { Engine = engine, BatchSize = 4 });
        await started.WaitAsync(TimeSpan.FromSeconds(10));

        // The survivor's items wait until the run has seen the silo go (event 7111), so that the run cannot end before.
        R68Slow.Hold();
        try
        {
            var victim = cluster.Silos[1];
            await cluster.KillSiloAsync(victim);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!log.Has(7111))
            {
                // A hang check: the others declare it dead within seconds (probes of 1 s, 2 missed).
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(25), "the run never saw the killed silo go");
                await Task.Delay(100);
            }

            R68Slow.Release();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(25));

            Assert.Equal(Enumerable.Range(0, 200), result.Values);
            var name = victim.SiloAddress.Endpoint.ToString();
            Assert.Contains($"lost during the run: {name} ({LostSilo.DeclaredDeadReason})", result.Report.Plan, StringComparison.Ordinal);
            var lost = Assert.Single(result.Report.LostSilos);
            Assert.Equal(LostSiloCause.DeclaredDead, lost.Cause);
            Assert.DoesNotContain(result.Report.Losses.Advice, static a => a.Contains("says why it left", StringComparison.Ordinal));
        }
        finally
        {
            R68Slow.Release();
        }
    }
}
