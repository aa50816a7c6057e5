using Brigade.Auto;

namespace Brigade.Tests.Review45Auto;

/// <summary>
/// The re-check's bookkeeping (<see cref="WidthRecheck"/>) and the sample's bounded wait for its batches beside another
/// worker (<see cref="AutoProbe{TIn, TOut}.WaitsForScaling"/>), on recorded figures.
/// </summary>
public sealed class WidthRecheckTests
{
    [Fact]
    public void TheFirstRecheck_ComesAfterEightWindows_AndEachOneKeepingOneWorkerDoublesIt()
    {
        Assert.Equal(8, AutoTuning.WidthRecheckWindows);
        var recheck = new WidthRecheck();
        recheck.Restart(Figures.Cpu(40, 110, 4, 6));

        for (var i = 1; i < 8; i++)
        {
            Assert.Equal(WidthRecheckStep.Stay, recheck.Next(Figures.Alone(40)));
        }

        Assert.Equal(WidthRecheckStep.Probe, recheck.Next(Figures.Alone(40)));
        Assert.True(recheck.Probing);
        Assert.Equal(WidthRecheckStep.Judge, recheck.Next(Figures.Beside(110)));

        // The planner's own rule on the evidence: still 2.75× beside another worker, one worker.
        var evidence = recheck.Evidence;
        Assert.Equal(2.75, AutoPlanner.CpuGrowth(evidence)!.Value, 2);
        Assert.Equal(1, AutoPlanner.Decide(evidence, Figures.Context())!.Width);

        recheck.KeptOne();
        Assert.Equal(16, recheck.Every);
        Assert.False(recheck.Probing);
    }

    [Fact]
    public void AProbeThatMeasuredTooLittle_RunsMoreWindows_ThenIsJudgedAnyway()
    {
        var recheck = new WidthRecheck();
        recheck.Restart(Figures.Cpu(40, 110, 4, 6));
        while (recheck.Next(Figures.Alone(40)) != WidthRecheckStep.Probe)
        {
        }

        // One measured batch beside the other per window: not enough for a verdict until the second.
        Assert.Equal(WidthRecheckStep.Stay, recheck.Next(Figures.Beside(110, batches: 1)));
        Assert.Equal(WidthRecheckStep.Judge, recheck.Next(Figures.Beside(110, batches: 1)));

        // A probe whose windows measured nothing beside (the second worker never ran) is judged after MaxWidthProbeWindows.
        recheck.KeptOne();
        while (recheck.Next(Figures.Alone(40)) != WidthRecheckStep.Probe)
        {
        }

        for (var i = 1; i < AutoTuning.MaxWidthProbeWindows; i++)
        {
            Assert.Equal(WidthRecheckStep.Stay, recheck.Next(default));
        }

        Assert.Equal(WidthRecheckStep.Judge, recheck.Next(default));
        Assert.Null(AutoPlanner.CpuGrowth(recheck.Evidence));
    }

    [Fact]
    public void ACachedPlan_IsRecheckedAfterTwoWindows_FromItsFirstWindowsFigures()
    {
        // A cached sample has no figures alone: the first window's are the reference.
        var recheck = new WidthRecheck();
        recheck.Restart(WorkSample.FromPerItem(100_000, TimeSpan.FromTicks(1), TimeSpan.FromTicks(1)), fromCache: true);

        Assert.Equal(WidthRecheckStep.Stay, recheck.Next(Figures.Alone(40)));
        Assert.Equal(WidthRecheckStep.Probe, recheck.Next(Figures.Alone(40)));
        Assert.Equal(WidthRecheckStep.Judge, recheck.Next(Figures.Beside(42)));
        Assert.Equal(2, AutoPlanner.Decide(recheck.Evidence, Figures.Context())!.Width);
    }

    [Fact]
    public void ItemsGrownLighter_AreRecheckedAtOnceToo()
    {
        var recheck = new WidthRecheck();
        recheck.Restart(Figures.Cpu(400, 1100, 4, 6));

        Assert.Equal(WidthRecheckStep.Stay, recheck.Next(Figures.Alone(390)));
        Assert.Equal(WidthRecheckStep.Probe, recheck.Next(Figures.Alone(150)));
    }

    [Fact]
    public void TheSamplesWaitForBesideBatches_IsBounded()
    {
        // Alone figures in, nothing beside yet, 3 ms into a 20 ms sample.
        var sample = Figures.Alone(40);
        var decision = AutoPlanner.Decide(sample, Figures.Context())!;
        var sampleTime = new AutoEngineOptions().SampleTime;
        var elapsed = TimeSpan.FromMilliseconds(3);

        Assert.True(AutoProbe<int, int>.WaitsForScaling(decision, sample, sampleWidth: 2, elapsed, waited: TimeSpan.Zero, sampleTime));
        Assert.True(AutoProbe<int, int>.WaitsForScaling(decision, sample, sampleWidth: 2, elapsed, waited: AutoTuning.MaxScalingWait - TimeSpan.FromTicks(1), sampleTime));

        // Before: only the sample time bounded it (up to 20 ms of the sample's small measured batches).
        Assert.False(AutoProbe<int, int>.WaitsForScaling(decision, sample, sampleWidth: 2, elapsed, waited: AutoTuning.MaxScalingWait, sampleTime));
        Assert.True(AutoTuning.MaxScalingWait < sampleTime);

        // Not on a busy machine, nor once both sides are measured.
        var busy = Figures.Cpu(40, 0, 4, 0, runQueue: 0.5);
        Assert.False(AutoProbe<int, int>.WaitsForScaling(AutoPlanner.Decide(busy, Figures.Context())!, busy, 2, elapsed, TimeSpan.Zero, sampleTime));
        var both = Figures.Cpu(40, 42, 4, 4);
        Assert.False(AutoProbe<int, int>.WaitsForScaling(AutoPlanner.Decide(both, Figures.Context())!, both, 2, elapsed, TimeSpan.Zero, sampleTime));
    }
}
