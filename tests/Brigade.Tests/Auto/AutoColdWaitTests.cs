using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>A cold run (no plan cache) of long sleeps: recognized as waits while the first items still sleep.</summary>
[Collection(AutoCollection.Name)]
public sealed class AutoColdWaitTests
{
    [Fact]
    public async Task LongSleeps_OnAColdAutoRun_AllOverlapInTheFirstWave()
    {
        // 64 × 500 ms: one wave is 0.5 s. The plan used to read the items' start-up CPU as a third of their time and run
        // 7 to 31 threads, so the sleeps took three waves or more (1.5 s and up); the bound leaves a second for a busy machine.
        var result = await Runner.MapAsync(Enumerable.Range(0, 64).ToArray(), i => { Thread.Sleep(500); return i; },
            new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 64), result.Values);
        Assert.Equal(WorkloadClass.Blocking, result.Report.Plans[0].Class);
        Assert.True(result.Report.WallTime < TimeSpan.FromSeconds(1.5), $"{result.Report.WallTime.TotalSeconds:0.00} s; {result.Report.Plan}");
    }
}
