using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Engines;

/// <summary>Once a run is aborted, no worker takes another batch, even before every token linked to the abort has tripped.</summary>
public sealed class EngineJobStopTests
{
    [Fact]
    public async Task TakeBatch_WhileAbortCallbacksStillRun_TakesNothing()
    {
        // A callback registered on the abort token after the job was built runs before the job's own stop token is
        // cancelled (callbacks run last-registered first). A worker woken there, as one waiting to deliver into a
        // stream whose reader left is, used to take and run batch after batch from an endless input.
        var engine = new TakesDuringAbortEngine();
        using var cts = new CancellationTokenSource();
        var run = Runner.MapAsync(Endless(), x => x, new RunOptions { Engine = engine, BatchSize = 4 }, cts.Token);
        await engine.Started.Task.Bounded();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).Bounded();
        Assert.Equal(0, engine.TakenDuringAbort);
    }

    private static IEnumerable<int> Endless()
    {
        for (var i = 0; ; i++)
        {
            yield return i;
        }
    }

    private sealed class TakesDuringAbortEngine : Engine
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int? TakenDuringAbort { get; private set; }

        public override string Name => "takes-during-abort";

        public override int GetDefaultDegreeOfParallelism() => 1;

        protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            var worker = job.CreateWorker(TimeSpan.FromMilliseconds(1));
            await job.ExecuteBatchAsync(worker, job.TakeBatch(worker));
            var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (job.AbortToken.Register(() =>
            {
                TakenDuringAbort = job.TakeBatch(worker).Count;
                aborted.TrySetResult();
            }))
            {
                Started.TrySetResult();
                await aborted.Task;
            }
        }
    }
}
