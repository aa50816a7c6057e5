namespace Brigade.Processes.Tests.Review59Lead;

/// <summary>
/// Lib59 noticed: a cancelled run whose worker process outlived the grace period (its item cleaning up slowly) killed the
/// worker and counted the item as not run, and the <see cref="RunCanceledException"/> said "every started item finished
/// before this was thrown" of an item that had been stopped mid-run. It now says that the worker was stopped with it.
/// </summary>
public sealed class StoppedWorkerMessageTests
{
    [Fact(Timeout = 90_000)]
    public async Task WorkerKilledAfterTheGracePeriod_TheMessageSaysItsItemWasStopped()
    {
        var error = await CancelSlowItemAsync(TimeSpan.FromMilliseconds(500), cleanupMilliseconds: 4_000);

        Assert.Equal(1, error.Report.NotRun);
        Assert.Contains("1 item taken by worker processes that outlived the cancellation's grace period was stopped with them, unfinished (counted as not run); every other started item finished", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task ItemThatStopsWithinTheGracePeriod_TheMessageIsAsBefore()
    {
        var error = await CancelSlowItemAsync(TimeSpan.FromSeconds(30), cleanupMilliseconds: 0);

        Assert.Equal(1, error.Report.NotRun);
        Assert.Contains("; every started item finished before this was thrown.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped with them", error.Message, StringComparison.Ordinal);
    }

    // One item on one worker; cancelled once it runs (as CancellationGracePeriodTests).
    private static async Task<RunCanceledException> CancelSlowItemAsync(TimeSpan grace, int cleanupMilliseconds)
    {
        var directory = Directory.CreateTempSubdirectory("brigade-stoppedmessage-").FullName;
        var engine = TestEngines.Create(o =>
        {
            o.MaxWorkers = 1;
            o.CancellationGracePeriod = grace;
        });
        try
        {
            using var cancel = new CancellationTokenSource();
            var options = new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1 };
            var run = Runner.MapAsync(new[] { $"hold:{cleanupMilliseconds}:{directory}" }, new StopsSlowly(), options, cancel.Token);
            await StopsSlowly.WaitForPidAsync(directory, run);

            await cancel.CancelAsync();
            return await Assert.ThrowsAsync<RunCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            await engine.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
