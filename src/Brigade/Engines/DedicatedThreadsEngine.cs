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
    private static int _liveThreads;

    public override string Name => "threads";

    /// <summary>Gets the number of Brigade worker threads alive in the process, for leak tests.</summary>
    internal static int LiveThreads => Volatile.Read(ref _liveThreads);

    public override int GetDefaultDegreeOfParallelism() => DefaultWidth;

    protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
    {
        var group = new WorkerGroup(job.DegreeOfParallelism);
        Launch(job, group);
        return group.Completion;
    }

    private static void Launch<TIn, TOut>(EngineJob<TIn, TOut> job, WorkerGroup group)
    {
        if (!group.TryReserve(out var id))
        {
            return;
        }

        var thread = new Thread(() => WorkerLoop(job, group, id))
        {
            IsBackground = true,
            Name = $"brigade-thread-{id}",
        };

        Interlocked.Increment(ref _liveThreads);
        try
        {
            thread.Start();
        }
        catch (Exception e)
        {
            // Out of threads or memory: the run goes on with the workers it has, and says why if it has none.
            Interlocked.Decrement(ref _liveThreads);
            if (id == 0)
            {
                job.Fail(e);
            }

            group.Exited();
        }
    }

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
        finally
        {
            Interlocked.Decrement(ref _liveThreads);
            group.Exited();
        }
    }
}
