using Brigade.Auto;
using Brigade.Tests.Auto;

namespace Brigade.Tests.Review44Auto;

/// <summary>The evidence behind the width check on real runs, and the plan cache keeping it (review 44). No timing bound.</summary>
[Collection(AutoCollection.Name)]
public sealed class ScalingRunTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"brigade-review44-{Guid.NewGuid():N}");

    public ScalingRunTests() => PlanCache.ResetLoaded();

    public void Dispose()
    {
        PlanCache.ResetLoaded();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task OneWorker_RunsEveryMeasuredBatchAlone()
    {
        // One worker has nobody beside it, whatever the machine's load: every measured batch counts alone.
        AutoRunOutcome? outcome = null;
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, OnFinished = o => outcome = o });
        long counter = 0;

        await Runner.MapAsync(Enumerable.Range(0, 300_000).ToArray(), i => Interlocked.Add(ref counter, i),
            new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1 });

        var totals = outcome!.Totals;
        Assert.True(totals.MeasuredBatches > 0, "measured nothing");
        Assert.Equal(totals.MeasuredBatches, totals.SoloBatches);
        Assert.Equal(totals.MeasuredItems, totals.SoloItems);
        Assert.Equal(totals.CpuTicks, totals.SoloCpuTicks);
    }

    [Fact]
    public void ThePlanCache_KeepsTheGrowth()
    {
        new PlanCache(_directory).Put("k", new PlanCacheEntry
        {
            Work = "Tests.Contended",
            Machine = PlanCache.Machine,
            Class = "CpuBound",
            TimePerItemNs = 40,
            CpuPerItemNs = 39,
            MeasuredItems = 40_000,
            CpuGrowth = 2.4,
            Engine = "threadpool",
            Width = 1,
            BatchSize = 16_384,
            Updated = DateTimeOffset.UtcNow,
        });
        PlanCache.ResetLoaded();

        var entry = new PlanCache(_directory).TryGet("k");

        Assert.NotNull(entry);
        Assert.Equal(2.4, entry.CpuGrowth);
    }
}
