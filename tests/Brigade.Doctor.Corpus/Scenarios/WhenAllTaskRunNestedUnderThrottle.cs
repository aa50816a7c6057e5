namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 43: the throttle deadlock of <see cref="ParallelForEachAsyncNestedUnderThrottle"/> written with
/// <c>Task.Run</c> and <c>Task.WhenAll</c> instead of loops. Each order, a <c>Task.Run</c> of an async lambda, takes the
/// throttle (<c>SemaphoreSlim(2, 2)</c>) and blocks in <c>Task.WhenAll(lines.Select(l => Task.Run(async () => ...))).Wait()</c>
/// whose flows take the same throttle: two pool threads hold both slots and wait for flows that wait for a slot. Before:
/// <c>BRG1008</c> only ("pool threads blocked on Task.WhenAll"); a possible deadlock (<c>BRG1001</c>).</summary>
public sealed class WhenAllTaskRunNestedUnderThrottle : Scenario
{
    private static readonly SemaphoreSlim Throttle = new(2, 2);

    public override string Name => "when-all-task-run-nested-under-throttle";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [[".NET TP Worker", ".NET TP Worker"]],
        WaitKinds = ["Task"],
        TextContains = "2 threads hold all 2 slots of a SemaphoreSlim and wait for Task.WhenAll joins whose flows wait on that semaphore",
    };

    public override void Start()
    {
        for (var order = 0; order < 4; order++)
        {
            _ = Task.Run(async () =>
            {
                await Throttle.WaitAsync();
                try
                {
                    ShipLines();
                }
                finally
                {
                    Throttle.Release();
                }
            });
        }

        WaitUntil(() => Throttle.CurrentCount == 0 && ThreadPool.PendingWorkItemCount == 0);
        Thread.Sleep(300);
    }

    private static void ShipLines() =>
        Task.WhenAll(Enumerable.Range(0, 3).Select(line => Task.Run(async () =>
        {
            await Throttle.WaitAsync();
            try
            {
                await Task.Delay(10);
            }
            finally
            {
                Throttle.Release();
            }
        }))).Wait();
}
