using Brigade.Auto;

namespace Brigade.Tests.Review45Auto;

/// <summary>
/// Review 45, 1b: the plan cache kept the growth "beside another worker" whatever the load it was measured at, and a growth
/// a busy machine measured (which decided nothing there: the busy gate) pinned a later quiet run, whose cached sample shows
/// no load, to one worker. Recorded figures, no clock.
/// </summary>
public sealed class CachedGrowthTests
{
    // Review 44's false sharing at load 18 on 2 cores: 75 ns alone, 231 ns beside (3.1×), 78% of the time waiting for a core.
    private static WorkSample Busy() => Figures.Cpu(soloNs: 75, besideNs: 231, soloBatches: 4, besideBatches: 6, runQueue: 0.78);

    // What AutoRun.Remember writes from a decision, as far as the next plan depends on it.
    private static PlanCacheEntry Remembered(PlanDecision decision) => new()
    {
        Class = decision.MeasuredClass.ToString(),
        TimePerItemNs = decision.Sample.TimePerItem.TotalNanoseconds,
        CpuPerItemNs = decision.Sample.CpuTimePerItem.TotalNanoseconds,
        MeasuredItems = decision.Sample.TotalItems,
        CpuGrowth = decision.CpuGrowth is { } growth ? Math.Round(growth, 2) : 0,
        Engine = decision.Engine,
        Width = decision.Width,
        BatchSize = decision.BatchSize,
    };

    [Fact]
    public void AGrowthMeasuredOnABusyMachine_IsNotKept_SoALaterQuietRunKeepsTheCores()
    {
        var busy = AutoPlanner.Decide(Busy(), Figures.Context())!;
        Assert.True(busy.Sample.Contention >= AutoPlanner.ScalingBusyMax);
        Assert.Equal(2, busy.Width);
        Assert.Null(busy.CpuGrowth);

        var entry = Remembered(busy);
        var quiet = AutoPlanner.Decide(entry.ToSample(), Figures.Context(cachedGrowth: entry.CpuGrowth > 0 ? entry.CpuGrowth : null, fromCache: true))!;
        Assert.Equal(2, quiet.Width);
    }

    [Fact]
    public void AGrowthMeasuredOnAQuietMachine_IsKept()
    {
        var quiet = AutoPlanner.Decide(Figures.Cpu(soloNs: 75, besideNs: 231, soloBatches: 4, besideBatches: 6), Figures.Context())!;
        Assert.Equal(1, quiet.Width);
        Assert.Equal(3.08, quiet.CpuGrowth!.Value, 2);

        var entry = Remembered(quiet);
        Assert.Equal(1, AutoPlanner.Decide(entry.ToSample(), Figures.Context(cachedGrowth: entry.CpuGrowth, fromCache: true))!.Width);
    }

    [Fact]
    public void ABusySampleKeepsARememberedQuietGrowth()
    {
        // A busy run from a quiet run's cached growth: its own reading does not replace it, and the plan keeps the cores.
        var busy = AutoPlanner.Decide(Busy(), Figures.Context(cachedGrowth: 2.5))!;
        Assert.Equal(2, busy.Width);
        Assert.Equal(2.5, busy.CpuGrowth);
    }

    [Theory]
    [InlineData(1, 2.5, 2, 2.5, true)] // one worker against two: within a quarter of the width, material all the same
    [InlineData(2, 0, 2, 2.5, true)] // a remembered growth gone (re-checked and found scaling)
    [InlineData(1, 2.6, 1, 2.0, true)] // moved by more than a quarter
    [InlineData(1, 2.5, 1, 2.4, false)]
    [InlineData(8, 0, 7, 0, false)]
    public void OneWorkerAgainstMore_AndTheGrowth_AreMaterialChanges(int width, double growth, int oldWidth, double oldGrowth, bool material)
    {
        PlanCacheEntry Entry(int w, double g) => new() { Class = "CpuBound", Engine = "threadpool", TimePerItemNs = 40, Width = w, CpuGrowth = g };

        Assert.Equal(material, Entry(width, growth).DiffersMaterially(Entry(oldWidth, oldGrowth)));
    }
}
