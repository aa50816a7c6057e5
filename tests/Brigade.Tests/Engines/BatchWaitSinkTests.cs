using System.Collections.Concurrent;
using Brigade.Internal;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Engines;

/// <summary>
/// A worker's wait sink (<see cref="EngineWorker.WaitSink"/>, where the run's items' waits on Brigade's primitives count) is
/// the batch's thread's while its synchronous part runs, and no longer once the batch returns to the engine, finished or
/// not: a pool thread that kept it would count its later waits (other runs' batches, the application's work) for this run.
/// </summary>
public sealed class BatchWaitSinkTests
{
    [Fact]
    public async Task AsyncBatch_SinkCurrentInItsSynchronousPart_GoneFromItsThreadOnceItReturns()
    {
        var engine = new ReturnsRecordingEngine();
        var seen = new ConcurrentQueue<LockWaitSink?>();

        // The first batch returns unfinished (its item waits for the engine to have seen it return); the second finds that
        // task complete and finishes before it returns.
        await Runner.ForEachAsync([1, 2], async (int _, CancellationToken _) =>
        {
            seen.Enqueue(LockWaitSink.Current);
            await engine.FirstReturned.Task;
        }, new RunOptions { Engine = engine, BatchSize = 1 }).Bounded();

        Assert.All(seen, sink => Assert.NotNull(sink));
        Assert.Equal(2, seen.Count);
        Assert.Equal(new (bool, LockWaitSink?)[] { (false, null), (true, null) }, engine.Returns);
    }

    [Fact]
    public async Task SyncBatch_SinkCurrentForItsItems_GoneFromItsThreadOnceItReturns()
    {
        var engine = new ReturnsRecordingEngine();
        var seen = new ConcurrentQueue<LockWaitSink?>();
        engine.FirstReturned.SetResult();

        await Runner.ForEachAsync([1, 2, 3], _ => seen.Enqueue(LockWaitSink.Current), new RunOptions { Engine = engine, BatchSize = 1 }).Bounded();

        Assert.All(seen, sink => Assert.NotNull(sink));
        Assert.Single(seen.Distinct());
        Assert.Equal(new (bool, LockWaitSink?)[] { (true, null), (true, null), (true, null) }, engine.Returns);
    }

    // One worker, its batches one after the other; records, right after each batch returned, whether it had finished and
    // the calling thread's sink.
    private sealed class ReturnsRecordingEngine : Engine
    {
        public TaskCompletionSource FirstReturned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<(bool Finished, LockWaitSink? Sink)> Returns { get; } = [];

        public override string Name => "returns-recording";

        public override int GetDefaultDegreeOfParallelism() => 1;

        protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            var worker = job.CreateWorker(TimeSpan.FromMilliseconds(1), "w");
            while (true)
            {
                var batch = job.TakeBatch(worker);
                if (batch.IsEmpty)
                {
                    return;
                }

                var pending = job.ExecuteBatchAsync(worker, batch);
                Returns.Add((pending.IsCompleted, LockWaitSink.Current));
                FirstReturned.TrySetResult();
                await pending;
            }
        }
    }
}
