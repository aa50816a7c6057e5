using Brigade.Auto;
using Brigade.Reporting;

namespace Brigade.Tests.Review64bAdvise;

/// <summary>
/// Auto mode with an isolated engine (worker processes: <c>brigade advise --engines processes</c>) classes the work after the
/// run from each worker's figures. The host's busy time per batch runs from sending it to its results' arrival: the pipe,
/// the encoding at both ends and the worker's wait for the next batch are in it, while the CPU is the worker process's on
/// the batch alone. SquareWork (a multiplication per item) read cpu/wall 0.20 and was classed blocking I/O, and advise then
/// said more worker processes could finish sooner. The worker reports the time it spent on each batch: that is the wall
/// its CPU is set against.
/// </summary>
public sealed class IsolatedSampleClassTests
{
    // advise64's figures for SquareWork, 100,000 items on two workers: ~900 ns per item seen from the host, ~180 ns of the
    // workers' CPU per item, and the workers themselves busy about as long as their CPU.
    private static WorkerReport Worker(long items, TimeSpan hostBusy, TimeSpan cpu) =>
        new(1, "process 1", "pid 1", Batches: 40, Items: items, Failed: 0, BusyTime: hostBusy, CpuTime: cpu);

    [Fact]
    public void CpuBoundWork_OnWorkerProcesses_IsCpuBound_ThoughTheHostSeesThePipeAsWaiting()
    {
        var sample = IsolatedSample.Of(Worker(50_000, TimeSpan.FromMilliseconds(45), TimeSpan.FromMilliseconds(9)), TimeSpan.FromMilliseconds(9.5));

        Assert.Equal(WorkloadClass.CpuBound, AutoPlanner.Classify(sample));
    }

    [Fact]
    public void BlockingWork_OnWorkerProcesses_StaysBlocking()
    {
        // 50 items of a 20 ms sleep: the worker itself waited most of its time.
        var sample = IsolatedSample.Of(Worker(50, TimeSpan.FromMilliseconds(1_040), TimeSpan.FromMilliseconds(6)), TimeSpan.FromMilliseconds(1_010));

        Assert.Equal(WorkloadClass.Blocking, AutoPlanner.Classify(sample));
    }

    [Fact]
    public void TimePerItem_IsTheWorkers_AndTheCountsAreTheHosts()
    {
        var sample = IsolatedSample.Of(Worker(50_000, TimeSpan.FromMilliseconds(45), TimeSpan.FromMilliseconds(9)), TimeSpan.FromMilliseconds(10));

        Assert.Equal(50_000, sample.TotalItems);
        Assert.Equal(TimeSpan.FromMilliseconds(10).Ticks, sample.MeasuredWallTicks);
        Assert.Equal(TimeSpan.FromMilliseconds(45).Ticks, sample.WallTicks);
        Assert.InRange(sample.TimePerItem.TotalNanoseconds, 150, 250);
    }

    [Fact]
    public void WithoutTheWorkersTime_TheHostsBusyTimeIsTheWall()
    {
        // An engine that reports CPU but not its workers' own time (the cluster): as before.
        var sample = IsolatedSample.Of(Worker(50_000, TimeSpan.FromMilliseconds(45), TimeSpan.FromMilliseconds(9)), null);

        Assert.Equal(TimeSpan.FromMilliseconds(45).Ticks, sample.MeasuredWallTicks);
    }

    [Fact]
    public void AWorkerWithNoCpuFigure_AddsNothing()
    {
        var sample = IsolatedSample.Of(new WorkerReport(1, "process 1", null, 3, 30, 0, TimeSpan.FromMilliseconds(5), null), TimeSpan.FromMilliseconds(4));

        Assert.Equal(0, sample.TotalItems);
    }
}
