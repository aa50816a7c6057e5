using Brigade.Auto;
using Brigade.Reporting;
using Brigade.Workloads;

namespace Brigade.Tests.Auto;

/// <summary>
/// Auto mode on items that wait for each other's lock, with plain-lock waits timed (the runtime's contention events):
/// classed serialized, not I/O, on a busy machine and on any core count.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoLockTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task LockAroundAWait_IsSerialized_NotGivenThreadsForIo()
    {
        // 60 items holding one lock across a 3 ms sleep: the items barely use the CPU, which alone reads as blocking I/O
        // (before timed lock waits: dozens of threads, all queueing at the lock). The holder needs no core to sleep, so
        // the others wait for the lock however busy the machine; on one core the sample has one worker, and the first
        // wider plan's windows show the lock instead.
        Assert.True(RunLosses.StartTimingPlainLocks());
        var gate = new object();

        // Auto mode's own code compiled first: a process's first run reads its compiling as the items' CPU time.
        await Runner.MapAsync(Enumerable.Range(0, 8).ToArray(), static i => i, new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) }).WaitAsync(Bound);
        var result = await Runner.MapAsync(Enumerable.Range(0, 60).ToArray(), i =>
        {
            lock (gate)
            {
                Thread.Sleep(3);
            }

            return i;
        }, new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) }).WaitAsync(Bound);

        Assert.Equal(Enumerable.Range(0, 60), result.Values);
        var last = result.Report.Plans[^1];
        Assert.True(last.Class == WorkloadClass.Serialized, result.Report.Plan);
        Assert.True(last.DegreeOfParallelism <= 2, result.Report.Plan);
        Assert.True(result.Report.DegreeOfParallelism <= 2, result.Report.Plan); // nor widened by the monitor since
        Assert.Contains("a lock serializes the items: parallel threads cannot help", last.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LockSerializedWorkload_EndsSerialized_OrOnTheCores_NeverAsIo()
    {
        // The reference workload: one global lock around ~1 ms of arithmetic. With several workers on free cores the
        // waits are most of their time (serialized). On a machine whose cores are taken, two workers are rarely on a core
        // at once and so rarely contend: the run is then CPU-bound on the cores, which is also true. What it must never
        // end as is blocking I/O or mixed work on more threads than cores (issue 16: 11 to 233 threads).
        Assert.True(RunLosses.StartTimingPlainLocks());
        await using var suite = await WorkloadSuite.StartAsync(WorkloadScale.Test);
        var workload = suite.Get("lock-serialized");
        await workload.WarmUpAsync().WaitAsync(Bound);

        var report = await workload.RunAsync(new RunOptions { Engine = WorkloadComparison.CreateAutoEngine() }).WaitAsync(Bound);

        var last = report.Plans[^1];
        Assert.True(last.Class is WorkloadClass.Serialized or WorkloadClass.CpuBound, report.Plan);
        Assert.True(last.DegreeOfParallelism <= Environment.ProcessorCount, report.Plan);
    }
}
