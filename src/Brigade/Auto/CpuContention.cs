namespace Brigade.Auto;

/// <summary>What an auto run measured of its items' contention on shared memory: their CPU time per item beside another
/// worker over alone, and the share of the measured CPU time beyond what the items took alone.</summary>
/// <param name="Growth">The CPU time per item beside another worker over alone (<see cref="AutoPlanner.CpuGrowth"/>).</param>
/// <param name="ExtraCpuShare">The share of the measured batches' CPU time that items beside another worker took beyond
/// their CPU time alone (0 to 1).</param>
internal readonly record struct CpuContention(double Growth, double ExtraCpuShare)
{
    /// <summary>Reads a run's totals; null when they do not tell (<see cref="AutoPlanner.ScalingMeasured"/>) or the items
    /// cost no more beside another worker than alone.</summary>
    /// <param name="totals">The run's totals.</param>
    public static CpuContention? Of(in WorkSample totals)
    {
        if (AutoPlanner.CpuGrowth(totals) is not { } growth || growth <= 1 || totals.CpuTicks <= 0)
        {
            return null;
        }

        // Net of GC pauses, as the growth is (AutoPlanner.CpuGrowth): a collection's time is the GC cause's.
        var alone = (double)AutoPlanner.SoloItemCpu(totals) / totals.SoloItems;
        var extra = AutoPlanner.BesideItemCpu(totals) - (totals.BesideItems * alone);
        return new CpuContention(growth, Math.Clamp(extra / totals.CpuTicks, 0, 1));
    }
}
