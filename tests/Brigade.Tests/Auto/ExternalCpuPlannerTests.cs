using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>Work whose CPU is spent in child processes (brigade run --exec): the decision rules on synthetic samples.</summary>
public sealed class ExternalCpuPlannerTests
{
    private static readonly AutoEngineOptions External = new() { ReportsExternalCpu = true };

    private static PlanContext Context(AutoEngineOptions options) => new() { Cores = 2, Options = options, ItemCount = 1_000 };

    private static TimeSpan Ms(double ms) => TimeSpan.FromTicks((long)(ms * TimeSpan.TicksPerMillisecond));

    [Fact]
    public void ChildrenComputingMostOfTheirTime_AreCpuBound_AtTheCoreCount()
    {
        var decision = AutoPlanner.Decide(WorkSample.InFlightPerItem(8, Ms(80), Ms(76)), Context(External))!;

        Assert.Equal(WorkloadClass.CpuBound, decision.Class);
        Assert.Equal(2, decision.Width);
    }

    [Fact]
    public void ChildrenWaiting_AreAsyncIo_AndWiden()
    {
        var decision = AutoPlanner.Decide(WorkSample.InFlightPerItem(8, Ms(300), Ms(0.4)), Context(External))!;

        Assert.Equal(WorkloadClass.AsyncIo, decision.Class);
        Assert.True(decision.Width >= 64, decision.Explanation);
    }

    [Fact]
    public void ChildrenSlowedByABusyMachine_WithTheirWaitForACoreReported_AreCpuBound()
    {
        // The same 80 ms of CPU over 160 ms in flight, with the 80 ms the children waited for a core reported
        // (ExternalCpuTime.Add(cpu, runQueueWait)): their own time was all computing.
        var sample = WorkSample.InFlightPerItem(8, Ms(160), Ms(80)) with { PendingRunQueueTicks = 8 * Ms(80).Ticks };
        var decision = AutoPlanner.Decide(sample, Context(External))!;

        Assert.Equal(1.0, sample.CpuRatio, 3);
        Assert.Equal(WorkloadClass.CpuBound, decision.Class);
        Assert.Equal(2, decision.Width);
    }

    [Fact]
    public void ChildrenSlowedByABusyMachine_ReadAsMixed_AndWidenOnlyAFewTimesTheCores()
    {
        // 80 ms of CPU over 160 ms in flight: on a busy machine a CPU-bound child looks half idle.
        var decision = AutoPlanner.Decide(WorkSample.InFlightPerItem(8, Ms(160), Ms(80)), Context(External))!;

        Assert.Equal(WorkloadClass.Mixed, decision.Class);
        Assert.InRange(decision.Width, 2, 8);
    }

    [Fact]
    public void WithoutTheOption_TheSameSample_IsAsyncIo()
    {
        // The rule for ordinary async work: half the time in flight spent computing is still asynchronous I/O.
        Assert.Equal(WorkloadClass.AsyncIo, AutoPlanner.Classify(WorkSample.InFlightPerItem(8, Ms(160), Ms(80))));
        Assert.Equal(WorkloadClass.Mixed, AutoPlanner.Classify(WorkSample.InFlightPerItem(8, Ms(160), Ms(80)), externalCpu: true));
    }
}
