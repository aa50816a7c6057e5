namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Audit 4: <c>Parallel.ForEachAsync</c> bodies take a throttle (<c>SemaphoreSlim(2, 2)</c>) and then block on a
/// nested <c>Parallel.ForEachAsync</c> whose bodies need the same throttle. The blocked pool threads wait for the inner loop's
/// task, which was described as "a task completed by code (a TaskCompletionSource's, or similar)". Review 42: a deadlock
/// (the two pool threads hold both slots, taken with <c>WaitAsync(token)</c>, and wait for bodies that wait for a slot),
/// reported as a possible one (<c>BRG1001</c>) instead of <c>BRG1008</c>.</summary>
public sealed class ParallelForEachAsyncNestedUnderThrottle : Scenario
{
    private static readonly SemaphoreSlim Throttle = new(2, 2);

    public override string Name => "parallel-foreach-async-nested-under-throttle";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [[".NET TP Worker", ".NET TP Worker"]],
        WaitKinds = ["Task"],
        TextContains = "2 threads hold all 2 slots of a SemaphoreSlim and wait for Parallel.ForEachAsync loops whose bodies wait on that semaphore",
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
