using Brigade.Processes.Protocol;
using Brigade.TestSupport;

namespace Brigade.Processes.Tests;

/// <summary>
/// A run that finds the pool warming up waits for a warm worker rather than starting more (review 19): that wait
/// must end when the run is cancelled, not only when the warm-up ends (bounded by StartTimeout, 30 s by default).
/// </summary>
public sealed class WarmUpCancellationTests
{
    [Fact(Timeout = 90_000)]
    public async Task CancelledRun_WaitingForAWarmUp_EndsAtOnce()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-warmwait-").FullName;
        var engine = TestEngines.Create(o =>
        {
            o.MaxWorkers = 1;
            o.EnvironmentVariables[WireFormat.FaultVariable] = "hold-ready:" + directory;
        });
        Task? warmUp = null;
        try
        {
            // The warm-up's worker holds its handshake until the test releases it.
            warmUp = engine.WarmUpAsync(typeof(Square), 1);
            await StopsSlowly.WaitForPidAsync(directory, warmUp);

            using var cancel = new CancellationTokenSource();
            var ticks = new ProgressTicks();
            var run = Runner.MapAsync(Enumerable.Range(0, 4).ToArray(), new Square(), new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1, Progress = ticks }, cancel.Token);

            // Five of the run's own progress ticks (~0.5 s on a quiet machine), not a fixed 500 ms: at load the run had
            // not always got as far as the wait by then, and the cancel then tested a run that had not started.
            await ticks.WaitForMoreAsync(5, run);
            Assert.False(run.IsCompleted, "The run did not wait for the warm-up.");

            await cancel.CancelAsync();
            var error = await Assert.ThrowsAsync<RunCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(15)));

            Assert.Equal(0, error.Report.Succeeded);
            Assert.Equal(0, error.Report.Failed);
            Assert.False(warmUp.IsCompleted, "The warm-up ended: the run may have waited for it.");

            // The run started no worker of its own: one that had would have written a pid file too (its handshake is held
            // as the warm-up's is), unless killed first, so a second file is a failure and none is not proof.
            Assert.Single(Directory.GetFiles(directory, "*.pid"));
        }
        finally
        {
            File.WriteAllText(Path.Combine(directory, "release"), "");
            if (warmUp is not null)
            {
                try
                {
                    await warmUp.WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (Exception)
                {
                    // The test has reported what went wrong; this only keeps the warm-up from outliving it.
                }
            }

            await engine.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
