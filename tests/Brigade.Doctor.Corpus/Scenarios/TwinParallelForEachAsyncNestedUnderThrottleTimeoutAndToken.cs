namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 42: <see cref="ParallelForEachAsyncNestedUnderThrottle"/> with the throttle taken by <c>WaitAsync(TimeSpan, CancellationToken)</c>, outer
/// and inner bodies alike. The inner bodies' waits give up after ten minutes (their loop then ends, and the outer bodies
/// go on): a hang that ends by itself, pool threads blocked (<c>BRG1008</c>), never a deadlock.</summary>
public sealed class TwinParallelForEachAsyncNestedUnderThrottleTimeoutAndToken : Scenario
{
    private static readonly SemaphoreSlim Throttle = new(2, 2);

    public override string Name => "twin-parallel-foreach-async-nested-under-throttle-timeout-and-token";

    public override Expectation Expected => new(Finding.SyncOverAsync)
    {
        SyncOverAsyncPoolThreads = 2,
        TaskChainContains = "the task of a Parallel.ForEachAsync, which completes when its last body has ended",
    };

    public override void Start()
    {
        _ = Parallel.ForEachAsync(Enumerable.Range(0, 4), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (order, token) =>
        {
            if (!await Throttle.WaitAsync(TimeSpan.FromMinutes(10), token))
            {
                return;
            }

            try
            {
                ShipLines(order);
            }
            finally
            {
                Throttle.Release();
            }
        });
        WaitUntil(() => Throttle.CurrentCount == 0 && ThreadPool.PendingWorkItemCount == 0);
        Thread.Sleep(300);
    }

    private static void ShipLines(int order) =>
        Parallel.ForEachAsync(Enumerable.Range(order * 10, 3), async (line, token) =>
        {
            if (!await Throttle.WaitAsync(TimeSpan.FromMinutes(10), token))
            {
                return;
            }

            try
            {
                await Task.Delay(10, token);
            }
            finally
            {
                Throttle.Release();
            }
        }).Wait();
}
