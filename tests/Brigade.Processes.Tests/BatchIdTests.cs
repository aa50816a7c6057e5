namespace Brigade.Processes.Tests;

/// <summary>
/// Batch ids past 2^31 (review 20 P4): a worker numbers its batches for its whole life, and the worker treats every
/// batch at or below the highest id it was told to cancel as cancelled before it starts. An id that wrapped to a
/// negative number made every later batch of that worker run nothing.
/// </summary>
public sealed class BatchIdTests
{
    [Fact(Timeout = 90_000)]
    public async Task IdsCrossingInt32MaxValue_AfterACancelledBatch_KeepRunningEveryItem()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-batchid-").FullName;
        await using var engine = TestEngines.Create(o =>
        {
            o.MaxWorkers = 1;
            o.FirstBatchId = int.MaxValue - 3;
        });
        try
        {
            // The first batch (id 2^31 - 3) is cancelled: the worker now cancels every batch up to that id.
            var options = new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1, BatchSize = 1 };
            using (var cancel = new CancellationTokenSource())
            {
                var cancelled = Runner.MapAsync(new[] { "hold:0:" + directory }, new StopsSlowly(), options, cancel.Token);
                await StopsSlowly.WaitForPidAsync(directory, cancelled);
                await cancel.CancelAsync();
                var error = await Assert.ThrowsAsync<RunCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(30)));
                Assert.Equal(0, error.Report.Failed);
            }

            var pid = Assert.Single(engine.GetWorkerProcessIds());

            // The same worker, batches 2^31 - 2 to 2^31 + 5: every one runs its item.
            var result = await Runner.MapAsync(new[] { "a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g", "hh" }, new StopsSlowly(), options);

            Assert.Equal(8, result.Report.Succeeded);
            Assert.Equal(0, result.Report.NotRun);
            Assert.Equal([1, 2, 3, 4, 5, 6, 1, 2], result.Values);
            Assert.Equal([pid], engine.GetWorkerProcessIds());
            Assert.Equal(1, engine.GetStatistics().WorkersStarted);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
