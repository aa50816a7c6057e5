using Brigade.Reporting;

namespace Brigade.Tests.Review66Advise;

// Review 66: where Linux shares the cores between sessions first (autogroup), the forecast counted the other sessions'
// runnable threads and nothing else: the load of the job's own session (8 `yes` started from the terminal that ran
// `brigade advise --engines processes`) was in no reading but the sample's run-queue share (the workers' own waits, sent
// with each chunk since protocol 7), which that branch ignored. CPU-bound work whose workers waited 97% of their time for a
// core was forecast 0.38 against 0.057 measured. Figures by hand, 2 cores, no engine cost.
public sealed class OwnGroupLoadForecastTests
{
    private static readonly EngineCost Free = new();

    private static ForecastSample Sample(double runQueueShare, IReadOnlyList<double> otherGroups) => new()
    {
        Items = 1_000,
        TimePerItem = TimeSpan.FromMilliseconds(10),
        CpuRatio = 1,
        RunQueueShare = runQueueShare,
        SampleWorkers = 2,
        Cores = 2,
        OtherGroups = otherGroups,
    };

    [Fact]
    public void WaitsTheOtherGroupsDoNotExplain_AreTheOwnGroupsLoad()
    {
        // One other session with 2 threads ready: the job's session gets a core, half a core per worker; the workers got a
        // tenth of one each. 8 more runnable threads in the job's own session explain it: 1 / (2 + 8) = 0.1 of a core
        // each, 1,000 × 10 ms / (2 × 0.1) = 50 s, a speedup of 0.2 (1.0 before: the other session's share alone).
        var forecast = SpeedupForecast.Predict(Sample(0.9, [2]), "processes", 2, 1, Free);

        Assert.InRange(forecast.Speedup, 0.19, 0.21);
        Assert.InRange(forecast.CoreShare, 0.09, 0.11);
        Assert.Equal("a busy machine", forecast.LimitedBy);
    }

    [Fact]
    public void WaitsTheOtherGroupsExplain_AddNothing()
    {
        // Half a core each, as the other session's share says: no load of the job's own session.
        var forecast = SpeedupForecast.Predict(Sample(0.5, [2]), "processes", 2, 1, Free);

        Assert.InRange(forecast.Speedup, 0.99, 1.01);
    }

    [Fact]
    public void NoRunQueueWait_AddsNothing()
    {
        var forecast = SpeedupForecast.Predict(Sample(0, []), "processes", 2, 1, Free);

        Assert.InRange(forecast.Speedup, 1.99, 2.01);
    }
}
