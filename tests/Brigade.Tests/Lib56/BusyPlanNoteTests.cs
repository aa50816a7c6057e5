using Brigade.Auto;
using Brigade.Reporting;

namespace Brigade.Tests.Lib56;

/// <summary>
/// A parallel plan's forecast limited by a busy machine names what one worker would reach under the same load (review
/// 55, landed in lib56): "forecast speedup 0.5 (limited by a busy machine)" alone read as if running in parallel made
/// the job slower, when the forecast is against one worker on an idle machine.
/// </summary>
public sealed class BusyPlanNoteTests
{
    private static readonly AutoPlan Plan = new()
    {
        Engine = "threadpool",
        Explanation = "x",
        DegreeOfParallelism = 2,
        BatchSize = 8,
        CpuRatio = 1,
        TimePerItem = TimeSpan.FromMicroseconds(100),
        CpuTimePerItem = TimeSpan.FromMicroseconds(100),
        AtItem = 64,
        FromCache = true,
    };

    [Fact]
    public void BusyMachine_ParallelPlan_NoteSaysWhatOneWorkerWouldReachUnderTheSameLoad()
    {
        // 6 other runnable threads on 2 cores: 2 workers get 2 of 8 threads' share (half a core), one worker 1 of 7.
        var busy = new ForecastSample { Items = 10_000, TimePerItem = TimeSpan.FromMicroseconds(100), Cores = 2, SampleWorkers = 2, OtherLoad = 6 };

        var forecast = SpeedupForecast.ForPlan(Plan, 10_000, busy);

        Assert.Equal("a busy machine", forecast.LimitedBy);
        Assert.InRange(forecast.Speedup, 0.45, 0.55);
        Assert.InRange(forecast.SequentialSpeedup!.Value, 0.25, 0.32);
        Assert.Equal(
            $"; forecast speedup {forecast.Speedup:0.0#} (limited by a busy machine; one worker under the same load: {forecast.SequentialSpeedup:0.0#})",
            SpeedupForecast.Note(forecast));
    }

    [Fact]
    public void IdleMachine_OrOneWorker_NoteUnchanged()
    {
        var idle = new ForecastSample { Items = 10_000, TimePerItem = TimeSpan.FromMicroseconds(100), Cores = 2, SampleWorkers = 2, OtherLoad = 0 };
        var sequential = new AutoPlan { Engine = "sequential", Explanation = "x", DegreeOfParallelism = 1, BatchSize = 8, CpuRatio = 1, TimePerItem = Plan.TimePerItem, CpuTimePerItem = Plan.CpuTimePerItem, AtItem = 64, FromCache = true };
        var busy = new ForecastSample { Items = 10_000, TimePerItem = TimeSpan.FromMicroseconds(100), Cores = 2, SampleWorkers = 2, OtherLoad = 6 };

        var parallel = SpeedupForecast.ForPlan(Plan, 10_000, idle);
        var alone = SpeedupForecast.ForPlan(sequential, 10_000, busy);

        Assert.Null(parallel.SequentialSpeedup);
        Assert.Null(alone.SequentialSpeedup);
        Assert.Matches(@"^; forecast speedup \d+(\.\d+)? \(limited by [a-z -]+\)$", SpeedupForecast.Note(parallel));
        Assert.Matches(@"^; forecast speedup \d+(\.\d+)? \(limited by [a-z -]+\)$", SpeedupForecast.Note(alone));
    }
}
