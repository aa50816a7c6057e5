namespace Brigade.Engines;

/// <summary>
/// One dedicated thread per worker, for blocking work: N blocking items run N-wide at once instead of waiting for
/// the thread pool to inject threads (about one or two per second once it is starved).
/// </summary>
/// <remarks>
/// Threads are background threads named <c>brigade-thread-N</c>, started lazily (a worker that takes a batch starts
/// the next), and every one has exited before the run completes.
/// </remarks>
internal sealed class DedicatedThreadsEngine : Engine
{
    public const int DefaultWidth = 64;
    private static readonly TimeSpan TargetBatchDuration = TimeSpan.FromMilliseconds(1);

    public override string Name => "threads";

    public override int GetDefaultDegreeOfParallelism() => DefaultWidth;

    protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
    {
        var group = new WorkerGroup(job.DegreeOfParallelism);
        Launch(job, group);
        return group.Completion;
    }

    // Called after every batch taken: once the group is full, one comparison and no closure.
    private static void Launch<TIn, TOut>(EngineJob<TIn, TOut> job, WorkerGroup group)
    {
        if (group.Started < group.MaxWorkers)
        {
            Start(job, group);
        }
    }

    // Out of threads or memory: the run goes on with the workers it has, and says why if it has none.
    private static void Start<TIn, TOut>(EngineJob<TIn, TOut> job, WorkerGroup group) =>
        group.TryStartThread("brigade-thread-", id => WorkerLoop(job, group, id), job.Fail);

    private static void WorkerLoop<TIn, TOut>(EngineJob<TIn, TOut> job, WorkerGroup group, int id)
    {
        try
        {
            var worker = job.CreateWorker(TargetBatchDuration, $"thread {id}");
            while (true)
            {
                var batch = job.TakeBatch(worker);
                if (batch.IsEmpty)
                {
                    break;
                }

                Launch(job, group);
                job.ExecuteBatch(worker, batch);
            }
        }
        catch (Exception e)
        {
            job.Fail(e);
        }
    }
}
