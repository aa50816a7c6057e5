using Brigade.Auto;

namespace Brigade.Tests.Review45Auto;

/// <summary>
/// Review 45, work auto mode had never seen: items that call <see cref="GC.Collect()"/>. The plan line read "GC-bound: 84%
/// of the time in GC pauses, 0 B allocated per item — under workstation GC threads share one heap and its pauses: worker
/// processes ... or Server GC ... scale further": advice for allocation-heavy work, to items that allocate nothing.
/// </summary>
public sealed class GcPausesWithoutAllocationTests
{
    private static PlanContext Context() => new() { Cores = 2, Options = new AutoEngineOptions(), ItemCount = 300 };

    [Fact]
    public void PausesTheItemsDoNotAllocateFor_AreNamed_WithoutTheHeapAdvice()
    {
        // Measured shape: ~200 µs of CPU per item, half the time in pauses, nothing allocated.
        var sample = WorkSample.FromPerItem(20, TimeSpan.FromMicroseconds(600), TimeSpan.FromMicroseconds(390), gcPausePerItem: TimeSpan.FromMicroseconds(200));

        var decision = AutoPlanner.Decide(sample, Context())!;

        Assert.Equal(WorkloadClass.CpuBound, decision.Class);
        Assert.Contains("33% of the time in GC pauses with 0 B allocated per item: collections the items' allocations do not explain (an explicit GC.Collect", decision.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("worker processes", decision.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("Server GC", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void AllocationHeavyItems_KeepTheHeapAdvice()
    {
        var sample = WorkSample.FromPerItem(20, TimeSpan.FromMicroseconds(600), TimeSpan.FromMicroseconds(390), allocatedBytesPerItem: 225_000, gcPausePerItem: TimeSpan.FromMicroseconds(200));

        Assert.Contains("GC-bound: 33% of the time in GC pauses", AutoPlanner.Decide(sample, Context())!.Explanation, StringComparison.Ordinal);
    }
}
