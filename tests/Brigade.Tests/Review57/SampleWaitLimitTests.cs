using Brigade.Auto;
using Brigade.Reporting;

namespace Brigade.Tests.Review57;

/// <summary>
/// A forecast whose start-up (auto mode's sample) is most of the wall names start-up only when start-up is the larger
/// loss: a sample that spent most of its time waiting for a core (its run-queue share) lost it to the machine (lib57: a
/// <c>Parallel.For</c> body read "limited by start-up" while 99% of the time was waiting for a core). Pure arithmetic.
/// </summary>
public sealed class SampleWaitLimitTests
{
    private static ForecastSample Sample(double runQueue) => new()
    {
        Items = 2,
        TimePerItem = TimeSpan.FromMilliseconds(1),
        CpuRatio = 1,
        Cores = 2,
        RunQueueShare = runQueue,
        SampleWorkers = 2,
        OtherLoad = 0,
        Sampling = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public void Predict_ASampleThatMostlyWaitedForACore_IsLimitedByTheMachine()
    {
        var f = SpeedupForecast.Predict(Sample(runQueue: 0.99), "threadpool", 2, 1, new EngineCost());

        Assert.Equal("a busy machine", f.LimitedBy);
    }

    [Fact]
    public void Predict_ASampleThatRanOnAnIdleMachine_IsStillLimitedByStartUp()
    {
        var f = SpeedupForecast.Predict(Sample(runQueue: 0), "threadpool", 2, 1, new EngineCost());

        Assert.Equal("start-up", f.LimitedBy);
    }

    [Theory]
    [InlineData(0.99, "a busy machine")]
    [InlineData(0.0, "start-up")]
    public void ForRun_ASampleMostOfTheWall_IsStartUpOnlyWhenItDidNotMostlyWait(double runQueue, string expected)
    {
        // Two items sampled in 1 s, two more in 2 ms after it.
        var run = new RunReport
        {
            Engine = "auto",
            Items = 4,
            Plans = [new AutoPlan { Engine = "threadpool", Explanation = "x", DegreeOfParallelism = 2, BatchSize = 1, CpuRatio = 1, TimePerItem = TimeSpan.FromMilliseconds(1), CpuTimePerItem = TimeSpan.FromMilliseconds(1), AtItem = 2 }],
            Timeline = [new TimelineEvent(2, 2, 1, 0, TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(1002), null)],
        };
        var machine = new ForecastSample { Cores = 2, OtherLoad = 0, SampleWorkers = 2, RunQueueShare = runQueue };

        var f = SpeedupForecast.ForRun(run, static (_, _, _) => new EngineCost(), machine)!;

        Assert.Equal(expected, f.LimitedBy);
    }
}
