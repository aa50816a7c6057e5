using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Brigade.Processes.Tests.Soak;

/// <summary>
/// What a long-lived service leaves behind when it forgets something: worker processes must not outlive what owns them.
/// </summary>
public sealed class LeftBehindTests
{
    [Fact(Timeout = 120_000)]
    public async Task EngineNeverDisposed_ItsWorkersStopOnceTheEngineIsCollected()
    {
        // Before: an engine created per request and never disposed kept its idle workers until the process exited (35
        // worker processes after 24 runs, growing by one or two a run).
        var pids = await RunOnAnEngineNobodyDisposesAsync();
        Assert.NotEmpty(pids);

        var gone = await CollectUntilAsync(() => !pids.Any(ProcessList.IsAlive));
        Assert.True(gone, $"workers {string.Join(", ", pids.Where(ProcessList.IsAlive))} of an engine nobody holds were alive 30 s and many collections later");
        Assert.Empty(ProcessList.WorkerChildren(Environment.ProcessId).Intersect(pids));
    }

    [Fact(Timeout = 180_000)]
    public async Task StreamsDroppedUnfinishedOnASharedEngine_DoNotKeepStartingWorkers()
    {
        // Before: each stream whose enumerator was dropped unfinished kept its two workers busy forever, so every later
        // run on the shared engine started two more (82 worker processes after 120 such streams).
        await using var engine = TestEngines.Create();
        for (var i = 0; i < 3; i++)
        {
            await ReadOneAndDropAsync(engine);
            var idle = await CollectUntilAsync(() => engine.GetStatistics() is { LiveWorkers: > 0 } s && s.IdleWorkers == s.LiveWorkers);
            Assert.True(idle, $"stream {i}: the run of a dropped enumerator still held its workers ({engine.GetStatistics().LiveWorkers} live, {engine.GetStatistics().IdleWorkers} idle)");
        }

        Assert.InRange(engine.GetStatistics().LiveWorkers, 1, engine.Options.MaxWorkers);
    }

    // Not inlined, so that no local of the test's frame keeps the engine reachable.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<int[]> RunOnAnEngineNobodyDisposesAsync()
    {
        var engine = TestEngines.Create();
        var result = await Runner.MapAsync(Enumerable.Range(0, 20).ToArray(), new Square(), TestEngines.Run(engine, batchSize: 1));
        Assert.Equal(20, result.Values.Count);
        return [.. engine.GetWorkerProcessIds()];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task ReadOneAndDropAsync(ProcessEngine engine)
    {
        var stream = Runner.StreamAsync(Enumerable.Range(0, 100_000).ToArray(), new Square(), new RunOptions { Engine = engine, BatchSize = 1, StreamCapacity = 1 });
        var enumerator = stream.GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync());
    }

    // Collections until the condition holds, for at most 30 s (what is waited for takes a collection and a kill).
    private static async Task<bool> CollectUntilAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                return false;
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(100);
        }

        return true;
    }
}
