using Brigade.Internal;
using Brigade.Reporting;
using Brigade.Workloads;

namespace Brigade.Tests.Review67;

/// <summary>
/// Review 67: a run on worker processes counted the workers' waits for a core as the items' own time in its losses
/// (<see cref="RunLosses.Speedup"/>, "why not faster"): a remote worker's batch beyond its CPU time was the items' (or
/// transport), though the worker processes measure their own thread's run-queue wait and send it with each chunk
/// (protocol 7: <c>WorkerReport.RemoteBusy</c> and <c>RemoteRunQueueWait</c>), which advise already used. A process pool on
/// a loaded machine read a speedup of 2.0 for items that got a tenth of a core each. Figures by hand: 2 workers, 300 items
/// of 10 ms of CPU, each batch (one item) 100 ms of wall seen from this process, no GC, no locks.
/// </summary>
public sealed class RemoteRunQueueLossTests
{
    private const int Items = 300;
    private static readonly TimeSpan Item = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Wall = TimeSpan.FromSeconds(15);

    // Each worker: 150 batches of 100 ms seen from this process; of each, transportMs of serialization, transport and this
    // process's reading of the results, the rest the worker's own wall, of which all but the item's 10 ms of CPU waiting for
    // a core (when measured), or, with waits, the item's own wait off the CPU (I/O) beside it.
    private static RunReport Run(bool measured = true, double transportMs = 0, double ioMs = 0)
    {
        const int perWorker = Items / 2;
        var cpu = perWorker * Item;
        var own = Wall - (perWorker * TimeSpan.FromMilliseconds(transportMs));
        var waited = own - cpu - (perWorker * TimeSpan.FromMilliseconds(ioMs));
        var workers = Enumerable.Range(0, 2).Select(id => new WorkerReport(id, $"process {4242 + id}", $"{4242 + id}", perWorker, perWorker, 0, Wall, cpu)
        {
            Timing = new WorkerTiming(TimeSpan.Zero, Wall - TimeSpan.FromMilliseconds(100), Wall, (id * perWorker) + perWorker - 1, 1, null, TimeSpan.Zero),
            RemoteRunQueueWait = measured ? waited : null,
            RemoteBusy = measured ? own : null,
        }).ToArray();
        return new RunReport
        {
            Engine = "processes",
            DegreeOfParallelism = 2,
            BatchSize = 1,
            Items = Items,
            Succeeded = Items,
            WallTime = Wall,
            BusyTime = 2 * Wall,
            Batches = Items,
            WorkerCpuTime = 2 * cpu,
            ProcessCpuTime = TimeSpan.FromSeconds(0.1),
            Workers = workers,
            Counters = new LossProbe(0, 0, 0),
        };
    }

    private static RunLosses Losses(RunReport report) => LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: false);

    [Fact]
    public void WorkerProcessesWaitingForACore_TheirWaitIsNotTheItemsTime()
    {
        // 300 × 10 ms of the items' own time over 15 s: 0.2. Before: 30 s of batches over 15 s, 2.0, "useful" all of it.
        var losses = Losses(Run());

        Assert.InRange(losses.Speedup, 0.19, 0.21);
        Assert.InRange(losses.Useful.TotalSeconds, 2.9, 3.1);
        Assert.InRange(losses.TimeLostTo(LossCause.WaitingForCore).TotalSeconds, 26.9, 27.1);
        Assert.Equal(losses.Gap, losses.Causes.Aggregate(TimeSpan.Zero, static (sum, c) => sum + c.Time));
        Assert.Contains("waiting for a core", losses.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkerProcessesWaitingForACore_TransportIsTheBatchesBeyondTheWorkersOwnWall()
    {
        // Of each 100 ms, 20 ms were transport and this process's own handling: the worker's own 80 ms held its 10 ms of
        // CPU and 70 ms of waiting for a core. Items of 100 ms, off the CPU most of the time, read as waiting items before:
        // no transport, all of it useful (2.0); the waits alone taken out left the transport in the items' time (0.6).
        var losses = Losses(Run(transportMs: 20));

        Assert.InRange(losses.Speedup, 0.19, 0.21);
        Assert.InRange(losses.TimeLostTo(LossCause.WaitingForCore).TotalSeconds, 20.9, 21.1);
        Assert.InRange(losses.TimeLostTo(LossCause.Overhead).TotalSeconds, 5.9, 6.1);
        Assert.Contains("serialization and transport", Assert.Single(losses.Causes, static c => c.Cause == LossCause.Overhead).Description, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkerProcessesWhoseItemsWait_KeepTheirOwnWaitsAsTheItems()
    {
        // Each item 10 ms of CPU and 50 ms of its own I/O in the worker's 80 ms; 20 ms waiting for a core, 20 ms transport.
        // The items' own time is 60 ms each: 300 × 60 ms over 15 s, 1.2.
        var losses = Losses(Run(transportMs: 20, ioMs: 50));

        Assert.InRange(losses.Speedup, 1.19, 1.21);
        Assert.InRange(losses.TimeLostTo(LossCause.WaitingForCore).TotalSeconds, 5.9, 6.1);
        Assert.InRange(losses.TimeLostTo(LossCause.Overhead).TotalSeconds, 5.9, 6.1);
    }

    [Fact]
    public void WorkerProcessesThatMeasuredNothing_CountTheirBatchesAsBefore()
    {
        // An older worker (before protocol 7) sends no wait: the batches beyond their CPU time stay the items' (a guard).
        var losses = Losses(Run(measured: false));

        Assert.InRange(losses.Speedup, 1.99, 2.01);
        Assert.Equal(TimeSpan.Zero, losses.TimeLostTo(LossCause.WaitingForCore));
    }

    [Fact]
    public void AdvisesMeasuredSpeedup_DoesNotTakeTheWaitsOutTwice()
    {
        // brigade advise's measured figure reads the losses and the workers' own figures: still the items' 3 s over 15 s.
        Assert.InRange(ForecastComparison.Measured(Run()), 0.19, 0.21);
        Assert.InRange(ForecastComparison.Measured(Run(transportMs: 20)), 0.19, 0.21);
        Assert.InRange(ForecastComparison.Measured(Run(measured: false)), 1.9, 2.1);
    }
}
