namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 43: <see cref="ParallelForEachAsyncNestedUnderThrottle"/> with the outer bodies taking the throttle by
/// <c>if (!await Throttle.WaitAsync(TimeSpan, token)) return;</c> while the inner bodies wait with a token only. The outer
/// waits ended (the bodies went on, so they got their slots); the inner ones never end by themselves: a deadlock. Before:
/// <c>BRG1008</c> (a slot taken with a timeout was not counted as held: the dump does not keep what the wait returned); now
/// a possible deadlock (<c>BRG1001</c>) that says so.</summary>
public sealed class ParallelForEachAsyncNestedUnderThrottleOuterTimeout : Scenario
{
    private static readonly SemaphoreSlim Throttle = new(2, 2);

    public override string Name => "parallel-foreach-async-nested-under-throttle-outer-timeout";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [[".NET TP Worker", ".NET TP Worker"]],
        WaitKinds = ["Task"],
        TextContains = "unless a WaitAsync(timeout) below returned false, a slot is released by code the dump does not show",
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
