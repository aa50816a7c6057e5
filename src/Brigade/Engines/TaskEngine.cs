namespace Brigade.Engines;

/// <summary>
/// Workers as tasks on the .NET thread pool: the sequential, thread-pool and async engines differ only in width
/// and target batch duration.
/// </summary>
/// <remarks>
/// Each worker is an async loop: take a batch, run it, repeat. With synchronous work and an in-memory input the
/// loop never awaits, so it runs start to finish on one pool thread, and the pool's work-stealing queues balance
/// workers across cores. A worker that takes a batch starts one more worker while the width allows, so a run
/// widens within microseconds when there is work and never starts workers for items that do not exist.
/// </remarks>
internal sealed class TaskEngine(string name, Func<int> defaultWidth, TimeSpan targetBatchDuration, bool forceSingleWorker) : Engine
{
    public override string Name => name;

    public override int GetDefaultDegreeOfParallelism() => defaultWidth();

    public override EngineCapabilities Capabilities =>
        forceSingleWorker ? base.Capabilities | EngineCapabilities.SingleWorker : base.Capabilities;

    internal override int ResolveDegreeOfParallelism(int? requested, long? itemCount) =>
        forceSingleWorker ? 1 : base.ResolveDegreeOfParallelism(requested, itemCount);

    protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
    {
        var group = new WorkerGroup(job.DegreeOfParallelism);
        Launch(job, group);
        return group.Completion;
    }

    // Called after every batch taken: once the group is full, one comparison and no closure.
    private void Launch<TIn, TOut>(EngineJob<TIn, TOut> job, WorkerGroup group)
    {
        if (group.Started < group.MaxWorkers)
        {
            Start(job, group);
        }
    }

    private void Start<TIn, TOut>(EngineJob<TIn, TOut> job, WorkerGroup group) =>
        group.TryStartTask(id => WorkerLoopAsync(job, group, id));

    private async Task WorkerLoopAsync<TIn, TOut>(EngineJob<TIn, TOut> job, WorkerGroup group, int id)
    {
        try
        {
            var worker = job.CreateWorker(targetBatchDuration, $"{name} worker {id}");
            while (true)
            {
                var batch = await job.TakeBatchAsync(worker).ConfigureAwait(false);
                if (batch.IsEmpty)
                {
                    break;
                }

                Launch(job, group);
                await job.ExecuteBatchAsync(worker, batch).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            job.Fail(e);
        }
    }
}
