namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Every pool thread blocks on an async call whose continuation needs a pool thread; more such calls are queued.</summary>
public sealed class PoolStarvationSyncOverAsync : Scenario
{
    public override string Name => "pool-starvation-sync-over-async";

    public override Expectation Expected => new(Finding.ThreadPoolStarvation) { SyncOverAsyncPoolThreads = 1 };

    public override void Start()
    {
        // A few pool threads, as under a container's CPU limit: the starvation lasts instead of easing as threads are added.
        ThreadPool.GetMaxThreads(out _, out var io);
        ThreadPool.SetMaxThreads(Environment.ProcessorCount, io);
        for (var i = 0; i < Environment.ProcessorCount * 4; i++)
        {
            ThreadPool.QueueUserWorkItem(_ => FetchAsync().GetAwaiter().GetResult());
        }

        WaitUntil(() => ThreadPool.PendingWorkItemCount > 0 && ThreadPool.ThreadCount >= Environment.ProcessorCount);
    }

    private static async Task<int> FetchAsync()
    {
        await Task.Yield();
        await Task.Delay(1).ConfigureAwait(false);
        return 1;
    }
}
