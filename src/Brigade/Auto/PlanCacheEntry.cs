namespace Brigade.Auto;

/// <summary>One remembered plan: the measurements it was made from (to re-plan for another job size) and what was chosen.</summary>
internal sealed class PlanCacheEntry
{
    public string Work { get; set; } = "";

    public string Machine { get; set; } = "";

    /// <summary>The measured class, as <see cref="WorkloadClass"/> names it.</summary>
    public string Class { get; set; } = "";

    /// <summary>Whether items were asynchronous items in flight.</summary>
    public bool InFlight { get; set; }

    /// <summary>Time per item on an idle machine (or in flight), in nanoseconds.</summary>
    public double TimePerItemNs { get; set; }

    /// <summary>CPU time per item, in nanoseconds.</summary>
    public double CpuPerItemNs { get; set; }

    /// <summary>For items in flight: their external work's time waiting for a core per item, in nanoseconds
    /// (<see cref="WorkSample.PendingRunQueueTicks"/>; 0 in files written before it existed).</summary>
    public double RunQueuePerItemNs { get; set; }

    public double AllocatedBytesPerItem { get; set; }

    public long MeasuredItems { get; set; }

    /// <summary>How the CPU time per item grew beside another worker (<see cref="AutoPlanner.CpuGrowth"/>); 0 when not
    /// measured (and in files written before it existed).</summary>
    public double CpuGrowth { get; set; }

    public string Engine { get; set; } = "";

    /// <summary>For a plan on worker processes: the largest resident memory of a worker the run measured
    /// (<see cref="AutoWorkerProcesses.ResidentBytes"/>), in bytes; 0 when not measured (and in files written before it existed).</summary>
    public long WorkerBytes { get; set; }

    public int Width { get; set; }

    public int BatchSize { get; set; }

    public DateTimeOffset Updated { get; set; }

    /// <summary>Rebuilds the measurements as a sample the planner accepts.</summary>
    public WorkSample ToSample()
    {
        var items = Math.Max(1, MeasuredItems);
        var perItem = TimeSpan.FromTicks((long)(TimePerItemNs / 100));
        var cpu = TimeSpan.FromTicks((long)(CpuPerItemNs / 100));
        return InFlight
            ? WorkSample.InFlightPerItem(items, perItem, cpu) with { PendingRunQueueTicks = (long)(RunQueuePerItemNs / 100) * items }
            : WorkSample.FromPerItem(items, perItem, cpu, allocatedBytesPerItem: AllocatedBytesPerItem);
    }

    /// <summary>Whether replacing <paramref name="old"/> by this entry is worth rewriting the file for: also one worker
    /// against more (a width of 1 against 2 is within the quarter), and a growth beside another worker that appeared,
    /// went, or moved by a quarter: a run that re-checked a remembered growth and found it gone must not leave it behind.</summary>
    public bool DiffersMaterially(PlanCacheEntry old) =>
        Class != old.Class || Engine != old.Engine || InFlight != old.InFlight ||
        Math.Abs(Width - old.Width) > Math.Max(1, old.Width / 4) || (Width == 1) != (old.Width == 1) ||
        (CpuGrowth > 0) != (old.CpuGrowth > 0) || (CpuGrowth > 0 && (CpuGrowth > old.CpuGrowth * 1.25 || CpuGrowth * 1.25 < old.CpuGrowth)) ||
        TimePerItemNs > old.TimePerItemNs * 2 || TimePerItemNs < old.TimePerItemNs / 2;
}
