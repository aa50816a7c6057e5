namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Audit 4: <c>Parallel.ForEachAsync</c> bodies take a throttle (<c>SemaphoreSlim(2, 2)</c>) and then block on a
/// nested <c>Parallel.ForEachAsync</c> whose bodies need the same throttle. The blocked pool threads wait for the inner loop's
/// task, which was described as "a task completed by code (a TaskCompletionSource's, or similar)".</summary>
public sealed class ParallelForEachAsyncNestedUnderThrottle : Scenario
{
    private static readonly SemaphoreSlim Throttle = new(2, 2);

    public override string Name => "parallel-foreach-async-nested-under-throttle";

    public override Expectation Expected => new(Finding.SyncOverAsync)
    {
        SyncOverAsyncPoolThreads = 2,
        TaskChainContains = "the task of a Parallel.ForEachAsync, which completes when its last body has ended",
    };

    public override void Start()
    {
        _ = Parallel.ForEachAsync(Enumerable.Range(0, 4), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (order, token) =>
        {
            await Throttle.WaitAsync(token);
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
            await Throttle.WaitAsync(token);
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
