using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review68Cluster;

/// <summary>
/// Cluster68: a cluster run's losses read "0 µs of serialization and transport inside batches", useful 93.6%, speedup
/// 3.74, while its own trace showed each batch 1.7-2.8 ms longer than its item's sleep (useful ~75%, speedup ~3.0). The
/// worker processes report their own wall on each batch (<c>WorkerReport.RemoteBusy</c>); the silos did not, so the losses
/// took the items' waits for their own time, transport included, and printed the 0 as if measured. The silos now send
/// their own wall (and, for synchronous work, their thread's run-queue wait). Figures by hand: 2 silo slots over 15 s, 150
/// batches each of one item, 90 ms per batch seen from this process and 10 ms between batches; of each batch 70 ms the
/// silo's own wall (the item's sleep, 1 ms of CPU) and 20 ms serialization and transport.
/// </summary>
public sealed class ClusterTransportLossTests
{
    private static readonly TimeSpan Wall = TimeSpan.FromSeconds(15);

    private static RunReport Run(bool ownWall, bool runQueue)
    {
        const int perWorker = 150;
        var cpu = perWorker * TimeSpan.FromMilliseconds(1);
        var own = perWorker * TimeSpan.FromMilliseconds(70);
        var busy = perWorker * TimeSpan.FromMilliseconds(90);
        var workers = Enumerable.Range(0, 2).Select(id => new WorkerReport(id, $"silo 10.0.0.{id + 1}:11111 slot 0", $"10.0.0.{id + 1}:11111", perWorker, perWorker, 0, busy, cpu)
        {
            Timing = new WorkerTiming(TimeSpan.Zero, Wall - TimeSpan.FromMilliseconds(90), Wall, (id * perWorker) + perWorker - 1, 1, null, TimeSpan.Zero),
            RemoteBusy = ownWall ? own : null,
            RemoteRunQueueWait = runQueue ? TimeSpan.Zero : null,
        }).ToArray();
        return new RunReport
        {
            Engine = "cluster",
            DegreeOfParallelism = 2,
            BatchSize = 1,
            Items = 2 * perWorker,
            Succeeded = 2 * perWorker,
            WallTime = Wall,
            BusyTime = 2 * busy,
            Batches = 2 * perWorker,
            WorkerCpuTime = 2 * cpu,
            ProcessCpuTime = TimeSpan.FromSeconds(0.1),
            Workers = workers,
            Counters = new LossProbe(0, 0, 0),
        };
    }

    private static RunLosses Losses(RunReport report) => LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: false);

    private static string Overhead(RunLosses losses) => Assert.Single(losses.Causes, static c => c.Cause == LossCause.Overhead).Description;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SilosReportingTheirOwnWall_TheBatchesBeyondItAreTransport(bool runQueue)
    {
        // 300 × 70 ms of the items' own time over 15 s: 1.4 (asynchronous work on a silo sends no run-queue wait: its own
        // wall still tells the transport). Before: 1.8, and "0 µs of serialization and transport".
        var losses = Losses(Run(ownWall: true, runQueue));

        Assert.InRange(losses.Speedup, 1.39, 1.41);
        Assert.InRange(losses.TimeLostTo(LossCause.Overhead).TotalSeconds, 8.9, 9.1);
        Assert.Contains("6.00 s of serialization and transport inside batches", Overhead(losses), StringComparison.Ordinal);
    }

    [Fact]
    public void SilosThatReportNoOwnWall_TheTransportIsSaidUnmeasured_NotZero()
    {
        // An older silo: the items wait, so the batches' time off the CPU cannot be told from transport. It stays the
        // items' (as before), but the text no longer prints a measured 0.
        var description = Overhead(Losses(Run(ownWall: false, runQueue: false)));

        Assert.DoesNotContain("0 µs of serialization", description, StringComparison.Ordinal);
        Assert.Contains("serialization and transport inside batches not measured", description, StringComparison.Ordinal);
    }
}
