using Brigade.Processes.Protocol;
using Brigade.TestSupport;

namespace Brigade.Processes.Tests;

/// <summary>
/// A cancelled run stops waiting for a worker that is slow to start or to create the work type (review 21 P4): the worker
/// gets the run's cancellation grace period (2 s by default) and is then killed, where the run used to wait for
/// <see cref="ProcessEngineOptions.StartTimeout"/> (30 s by default; five minutes here, so that waiting for it fails the test).
/// </summary>
public sealed class StartCancellationTests
{
    private static readonly TimeSpan LongStart = TimeSpan.FromMinutes(5);

    [Fact(Timeout = 120_000)]
    public Task CancelledRun_WhileItsWorkerStarts_EndsAfterTheGracePeriod() =>
        CancelWhileStartingAsync(new Square(), (o, directory) => o.EnvironmentVariables[WireFormat.FaultVariable] = "hold-ready:" + directory);

    [Fact(Timeout = 120_000)]
    public Task CancelledRun_WhileTheWorkTypeIsCreated_EndsAfterTheGracePeriod() =>
        CancelWhileStartingAsync(new HangsWhenCreated(), (o, directory) => o.EnvironmentVariables[HangsWhenCreated.DirectoryVariable] = directory);

    // Starts a run of 4 items on one worker that holds (as configure makes it) after writing its pid file, cancels the run,
    // and checks that the run ends cancelled within 30 s with nothing run, the worker killed and gone from the pool.
    private static async Task CancelWhileStartingAsync(IWork<int, long> work, Action<ProcessEngineOptions, string> configure)
    {
        var directory = Directory.CreateTempSubdirectory("brigade-startcancel-").FullName;
        var engine = TestEngines.Create(o =>
        {
            o.MaxWorkers = 1;
            o.StartTimeout = LongStart;
            configure(o, directory);
        });
        try
        {
            using var cancel = new CancellationTokenSource();
            var run = Runner.MapAsync(Enumerable.Range(0, 4).ToArray(), work, new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1 }, cancel.Token);
            var pid = await StopsSlowly.WaitForPidAsync(directory, run);

            await cancel.CancelAsync();
            var error = await Assert.ThrowsAsync<RunCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));

            Assert.Equal(0, error.Report.Succeeded);
            Assert.Equal(0, error.Report.Failed);
            Assert.Equal(4, error.Report.NotRun);
            Assert.False(ProcessList.IsAlive(pid), $"worker pid {pid} outlived the cancelled run");
            Assert.Equal(0, engine.GetStatistics().LiveWorkers);
        }
        finally
        {
            File.WriteAllText(Path.Combine(directory, "release"), "");
            await engine.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task WorkerAnsweringWithinTheGrace_IsKeptHealthyInThePool()
    {
        // Cancelled while its worker starts, and the worker answers within the grace period: the run ends cancelled without
        // creating the work type (its constructor, which hangs here, would start a second grace: review 27 F4), the worker
        // is not killed (then or later, by a grace left behind), and the next run takes it warm.
        var directory = Directory.CreateTempSubdirectory("brigade-startgrace-").FullName;
        var created = Directory.CreateTempSubdirectory("brigade-startgrace-ctor-").FullName;
        var engine = TestEngines.Create(o =>
        {
            o.MaxWorkers = 1;
            o.StartTimeout = LongStart;
            o.CancellationGracePeriod = TimeSpan.FromSeconds(20);
            o.EnvironmentVariables[WireFormat.FaultVariable] = "hold-ready:" + directory;
            o.EnvironmentVariables[HangsWhenCreated.DirectoryVariable] = created;
        });
        try
        {
            using var cancel = new CancellationTokenSource();
            var ticks = new ProgressTicks();
            var run = Runner.MapAsync(Enumerable.Range(0, 4).ToArray(), new HangsWhenCreated(), new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1, Progress = ticks }, cancel.Token);
            var pid = await StopsSlowly.WaitForPidAsync(directory, run);
            await cancel.CancelAsync();

            // Three of the run's own progress ticks after the cancel (~0.3 s on a quiet machine), not a fixed 300 ms, which
            // at load could pass before a run that ends at the cancel had got round to ending.
            await ticks.WaitForMoreAsync(3, run);
            Assert.False(run.IsCompleted, "the run ended before its worker answered (or its grace)");
            File.WriteAllText(Path.Combine(directory, "release"), "");
            var error = await Assert.ThrowsAsync<RunCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(15)));

            Assert.Equal(4, error.Report.NotRun);
            Assert.Empty(Directory.GetFiles(created));
            Assert.True(ProcessList.IsAlive(pid), $"worker pid {pid} was killed although it answered within the grace period");
            var second = await Runner.MapAsync(Enumerable.Range(0, 4).ToArray(), new Square(), new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1 });
            Assert.True(second.IsSuccess);
            Assert.Equal(1, engine.GetStatistics().WorkersStarted);
            Assert.True(ProcessList.IsAlive(pid));
        }
        finally
        {
            File.WriteAllText(Path.Combine(directory, "release"), "");
            await engine.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            Directory.Delete(created, recursive: true);
        }
    }
}
