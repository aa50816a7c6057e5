namespace Brigade.Processes.Tests;

/// <summary>
/// <see cref="ProcessEngineOptions.CancellationGracePeriod"/>: how long a cancelled run waits for a worker whose item
/// honours its token slowly. Shorter than the item's clean-up, the worker is killed and the item reported not run;
/// longer (or infinite), the item stops by itself and the worker goes back to the pool. The item takes 2 s to stop:
/// the bounds (0.5 s, 5 s) leave a loaded machine 1.5 s and 3 s of slack.
/// </summary>
public sealed class CancellationGracePeriodTests
{
    private const int CleanupMilliseconds = 2_000;

    [Fact(Timeout = 90_000)]
    public async Task GraceShorterThanTheItemsCleanup_WorkerKilled_ItemReportedNotRun()
    {
        var (report, pid, engine, directory) = await CancelSlowItemAsync(TimeSpan.FromMilliseconds(500));
        try
        {
            Assert.Equal(1, report.NotRun);
            Assert.Equal(0, report.Failed);
            Assert.Equal(0, report.Succeeded);
            Assert.Empty(await ProcessList.WaitGoneAsync([pid], ProcessList.GoneBound));
            Assert.DoesNotContain(pid, engine.GetWorkerProcessIds());
        }
        finally
        {
            await engine.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory(Timeout = 90_000)]
    [InlineData(5.0)]
    [InlineData(365 * 24 * 3600.0)] // beyond what one timer can wait (49.7 days): the watchdog steps towards it
    [InlineData(-1.0)] // Timeout.InfiniteTimeSpan: never killed for cancellation
    public async Task GraceLongerThanTheItemsCleanup_ItemStopsByItself_WorkerKept(double graceSeconds)
    {
        var grace = graceSeconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(graceSeconds);
        var (report, pid, engine, directory) = await CancelSlowItemAsync(grace);
        try
        {
            Assert.Equal(1, report.NotRun);
            Assert.Equal(0, report.Failed);
            Assert.Equal(0, report.Succeeded);
            Assert.True(ProcessList.IsAlive(pid), "The worker was killed.");
            Assert.Equal([pid], engine.GetWorkerProcessIds());
            Assert.Equal(1, engine.GetStatistics().IdleWorkers);
            Assert.Equal(0, engine.GetStatistics().WorkerCrashes);
        }
        finally
        {
            await engine.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Option_DefaultsToTwoSeconds_AcceptsPositiveOrInfinite_RejectsTheRest()
    {
        var options = new ProcessEngineOptions();
        Assert.Equal(TimeSpan.FromSeconds(2), options.CancellationGracePeriod);

        options.CancellationGracePeriod = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, options.Clone().CancellationGracePeriod);
        options.CancellationGracePeriod = TimeSpan.FromTicks(1);
        Assert.Equal(TimeSpan.FromTicks(1), options.CancellationGracePeriod);
        options.CancellationGracePeriod = TimeSpan.MaxValue;

        Assert.Throws<ArgumentOutOfRangeException>(() => options.CancellationGracePeriod = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.CancellationGracePeriod = TimeSpan.FromMilliseconds(-2));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.CancellationGracePeriod = TimeSpan.MinValue);
        Assert.Equal(TimeSpan.MaxValue, options.CancellationGracePeriod);
    }

    // Review 21 P3: a period at or below the worker's flush interval killed a worker that honoured its token at once.
    // Short values are kept as set (no new exception for a computed value) but the engine waits at least 500 ms.
    [Theory]
    [InlineData(1L, 500.0)]
    [InlineData(50 * TimeSpan.TicksPerMillisecond, 500.0)]
    [InlineData(500 * TimeSpan.TicksPerMillisecond, 500.0)]
    [InlineData(501 * TimeSpan.TicksPerMillisecond, 501.0)]
    [InlineData(2 * TimeSpan.TicksPerSecond, 2_000.0)]
    public void ShortPeriod_IsKeptAsSet_ButTheEngineAppliesAtLeastHalfASecond(long ticks, double appliedMilliseconds)
    {
        var options = new ProcessEngineOptions { CancellationGracePeriod = TimeSpan.FromTicks(ticks) };

        Assert.Equal(TimeSpan.FromTicks(ticks), options.CancellationGracePeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(appliedMilliseconds), options.Clone().EffectiveCancellationGracePeriod);
    }

    // The behaviour behind the clamp: a period of one tick, and an item that honours its token at once (no clean-up).
    // Before, the watchdog fired before the worker's last chunk could arrive and the worker was killed.
    [Fact(Timeout = 90_000)]
    public async Task OneTickGrace_ItemThatStopsAtOnce_WorkerKept()
    {
        var (report, pid, engine, directory) = await CancelSlowItemAsync(TimeSpan.FromTicks(1), cleanupMilliseconds: 0);
        try
        {
            Assert.Equal(1, report.NotRun);
            Assert.True(ProcessList.IsAlive(pid), "The worker was killed.");
            Assert.Equal(0, engine.GetStatistics().WorkerCrashes);
            Assert.Equal(1, engine.GetStatistics().IdleWorkers);
        }
        finally
        {
            await engine.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void InfiniteOrHugePeriod_IsAppliedAsSet()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, new ProcessEngineOptions { CancellationGracePeriod = Timeout.InfiniteTimeSpan }.EffectiveCancellationGracePeriod);
        Assert.Equal(TimeSpan.MaxValue, new ProcessEngineOptions { CancellationGracePeriod = TimeSpan.MaxValue }.EffectiveCancellationGracePeriod);
    }

    // One item on one worker; cancelled once it runs. Returns the cancelled run's report and the worker's pid.
    private static async Task<(RunReport Report, int Pid, ProcessEngine Engine, string Directory)> CancelSlowItemAsync(TimeSpan grace, int cleanupMilliseconds = CleanupMilliseconds)
    {
        var directory = Directory.CreateTempSubdirectory("brigade-graceperiod-").FullName;
        var engine = TestEngines.Create(o =>
        {
            o.MaxWorkers = 1;
            o.CancellationGracePeriod = grace;
        });
        using var cancel = new CancellationTokenSource();
        var options = new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1 };
        var run = Runner.MapAsync(new[] { $"hold:{cleanupMilliseconds}:{directory}" }, new StopsSlowly(), options, cancel.Token);
        var pid = await StopsSlowly.WaitForPidAsync(directory, run);

        await cancel.CancelAsync();
        var error = await Assert.ThrowsAsync<RunCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        return (error.Report, pid, engine, directory);
    }
}
