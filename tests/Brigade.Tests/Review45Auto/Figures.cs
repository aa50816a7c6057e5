using Brigade.Auto;

namespace Brigade.Tests.Review45Auto;

/// <summary>Recorded figures of CPU-bound windows, alone and beside another worker, in the shape review 44 measured them.</summary>
internal static class Figures
{
    /// <summary>Measured batches of 4,096 items: <paramref name="soloBatches"/> alone at <paramref name="soloNs"/> of CPU each,
    /// <paramref name="besideBatches"/> beside another worker at <paramref name="besideNs"/>; cpu/wall 0.97, and a share
    /// <paramref name="runQueue"/> of the wall time waiting for a core.</summary>
    public static WorkSample Cpu(double soloNs, double besideNs, int soloBatches, int besideBatches, double runQueue = 0)
    {
        const long PerBatch = 4_096;
        var soloItems = soloBatches * PerBatch;
        var besideItems = besideBatches * PerBatch;
        var soloCpu = (long)(soloNs * soloItems / 100);
        var besideCpu = (long)(besideNs * besideItems / 100);
        var cpu = soloCpu + besideCpu;
        var own = (long)(cpu / 0.97);
        var wall = (long)(own / (1 - runQueue));
        return new WorkSample
        {
            Items = soloItems + besideItems,
            Batches = soloBatches + besideBatches,
            WallTicks = wall,
            MeasuredItems = soloItems + besideItems,
            MeasuredBatches = soloBatches + besideBatches,
            MeasuredWallTicks = wall,
            CpuTicks = cpu,
            RunQueueTicks = wall - own,
            SoloItems = soloItems,
            SoloBatches = soloBatches,
            SoloCpuTicks = soloCpu,
        };
    }

    /// <summary>A window at one worker: every measured batch alone.</summary>
    public static WorkSample Alone(double ns, int batches = 4) => Cpu(ns, 0, batches, 0);

    /// <summary>A window at two workers: every measured batch beside the other.</summary>
    public static WorkSample Beside(double ns, int batches = 4, double runQueue = 0) => Cpu(0, ns, 0, batches, runQueue);

    public static PlanContext Context(int cores = 2, long? items = 2_000_000, double? cachedGrowth = null, bool fromCache = false) => new()
    {
        Cores = cores,
        Options = new AutoEngineOptions(),
        ItemCount = items,
        CpuGrowth = cachedGrowth,
        FromCache = fromCache,
    };
}
