using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review55;

/// <summary>
/// A worker thread's wait for a core before its first batch, on made-up reports: it counted as start-up, so a 0.69 s
/// `brigade run -e threads -j 2` at load 42 read "start-up 61%: … use fewer threads" (run54) where the machine was busy.
/// </summary>
public sealed class StartRunQueueLossTests
{
    // Two dedicated threads whose first batch started 420 ms into a 690 ms run, 400 ms of it waiting for a core.
    private static RunReport Report(TimeSpan startWait, string? location = null) => new()
    {
        Engine = "threads",
        DegreeOfParallelism = 2,
        Items = 100,
        Succeeded = 100,
        WallTime = Ms(690),
        WorkerCpuTime = Ms(540),
        ProcessCpuTime = Ms(540),
        Workers = [Worker(0, startWait, location), Worker(1, startWait, location)],
        Counters = new LossProbe(0, 0, 0),
    };

    private static WorkerReport Worker(int id, TimeSpan startWait, string? location) =>
        new(id, $"thread {id}", location, 5, 50, 0, Ms(270), Ms(270))
        {
            Timing = new WorkerTiming(Ms(420), Ms(680), Ms(690), 45, 5, TimeSpan.Zero, TimeSpan.Zero) { StartRunQueue = startWait },
        };

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static RunLoss Cause(RunLosses losses, LossCause cause) => losses.Causes.Single(c => c.Cause == cause);

    // A cause with no time is left out of the list.
    private static TimeSpan TimeOf(RunLosses losses, LossCause cause) => losses.Causes.SingleOrDefault(c => c.Cause == cause)?.Time ?? TimeSpan.Zero;

    [Fact]
    public void WaitBeforeTheFirstBatch_IsWaitingForACore_NotStartUp()
    {
        var losses = Report(Ms(400)).Losses;

        Assert.Equal(Ms(2 * 20), Cause(losses, LossCause.StartUp).Time);
        Assert.Equal(Ms(2 * 400), Cause(losses, LossCause.WaitingForCore).Time);
        Assert.Equal(LossCause.WaitingForCore, losses.Causes[0].Cause);
        Assert.Contains("800 ms of it before their first batch", Cause(losses, LossCause.WaitingForCore).Description, StringComparison.Ordinal);
        Assert.DoesNotContain(losses.Advice, a => a.Contains("use fewer threads", StringComparison.Ordinal));
        Assert.Contains(losses.Advice, a => a.Contains("the machine is busy", StringComparison.Ordinal));
    }

    [Fact]
    public void WaitBeforeTheFirstBatch_KeepsTheTotals()
    {
        var without = Report(TimeSpan.Zero).Losses;
        var with = Report(Ms(400)).Losses;

        Assert.Equal(without.Useful, with.Useful);
        Assert.Equal(without.Causes.Sum(c => c.Time.Ticks), with.Causes.Sum(c => c.Time.Ticks));
        Assert.Equal(TimeSpan.Zero, TimeOf(with, LossCause.Unexplained));
        Assert.Equal(
            TimeOf(without, LossCause.StartUp) + TimeOf(without, LossCause.WaitingForCore),
            TimeOf(with, LossCause.StartUp) + TimeOf(with, LossCause.WaitingForCore));
    }

    [Fact]
    public void WaitBeforeTheFirstBatch_IsAtMostTheTimeBeforeIt()
    {
        var losses = Report(Ms(900)).Losses;

        Assert.Equal(TimeSpan.Zero, TimeOf(losses, LossCause.StartUp));
        Assert.Equal(Ms(2 * 420), Cause(losses, LossCause.WaitingForCore).Time);
    }

    [Fact]
    public void RemoteWorkers_KeepTheirStartUp()
    {
        var losses = Report(Ms(400), "pid 4242").Losses;

        Assert.Equal(Ms(2 * 420), Cause(losses, LossCause.StartUp).Time);
    }
}
