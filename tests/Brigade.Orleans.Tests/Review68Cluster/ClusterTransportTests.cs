using Brigade.Reporting;

namespace Brigade.Orleans.Tests.Review68Cluster;

/// <summary>
/// Cluster68: a cluster run's losses read "0 µs of serialization and transport inside batches" while its batches were
/// each milliseconds longer than their items: the silos never said how long they spent on a batch themselves, so the
/// losses took the whole batch, transport included, for the items' time. The silos now send their own wall with each
/// batch (and their thread's run-queue wait for synchronous work), and the engine records it as the worker processes' is.
/// </summary>
[Collection("cluster")]
public sealed class ClusterTransportTests(ClusterFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task BatchesWithLargeResults_CountTheirTransport_NotAsTheItemsTime()
    {
        // 64 items of 5 ms, each returning 256 KB: 1 MB a batch to serialize, send and read here, outside the items.
        var result = await Runner.MapAsync(Enumerable.Range(0, 64), new R68Bulky(), new RunOptions { Engine = fixture.Engine, BatchSize = 4 });

        Assert.True(result.Report.IsSuccess, result.Report.ToString());
        var ran = result.Report.Workers.Where(static w => w.Batches > 0).ToList();
        Assert.NotEmpty(ran);

        // Each silo slot said how long it spent on its batches itself, and, the work being synchronous, how long its thread
        // waited for a core meanwhile; both are within the batches' time seen from here.
        Assert.All(ran, w =>
        {
            Assert.NotNull(w.RemoteBusy);
            if (Brigade.Internal.ThreadSchedStat.IsSupported)
            {
                Assert.NotNull(w.RemoteRunQueueWait);
            }

            Assert.InRange(w.RemoteBusy!.Value, TimeSpan.FromTicks(1), w.BusyTime);
        });

        var overhead = Assert.Single(result.Report.Losses.Causes, static c => c.Cause == LossCause.Overhead);
        Assert.Contains("of serialization and transport inside batches", overhead.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(", 0 µs of serialization and transport", overhead.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("not measured", overhead.Description, StringComparison.Ordinal);
    }
}
