namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 42: the twin of <see cref="ParallelForEachAsyncNestedUnderThrottle"/> whose outer body did not take the
/// throttle: its <c>await Throttle.WaitAsync(token)</c> was cancelled (the loop's token), and its <c>catch</c>, past that
/// await in IL order, blocks on a nested <c>Parallel.ForEachAsync(...).Wait()</c> whose bodies wait for the throttle. The
/// slot is held by the main thread (taken in <see cref="Start"/>, which returned) and given back by a timer in ten minutes:
/// no deadlock, a pool thread blocked (<c>BRG1008</c>). A running async method past a cancelled <c>WaitAsync(token)</c>
/// holds no slot.</summary>
public sealed class TwinParallelForEachAsyncCancelledWaitUnderThrottle : Scenario
{
    private static readonly SemaphoreSlim Throttle = new(1, 1);
    private static readonly CancellationTokenSource Shutdown = new();
    private static Timer? _giveBack;
    private static int _waiting;

    public override string Name => "twin-parallel-foreach-async-cancelled-wait-under-throttle";

    public override Expectation Expected => new(Finding.SyncOverAsync)
    {
        SyncOverAsyncPoolThreads = 1,
        TaskChainContains = "the task of a Parallel.ForEachAsync, which completes when its last body has ended",
    };

    public override void Start()
    {
        Throttle.Wait();
        _giveBack = new Timer(_ => Throttle.Release(), null, TimeSpan.FromMinutes(10), Timeout.InfiniteTimeSpan);
        _ = Parallel.ForEachAsync(Enumerable.Range(0, 1), new ParallelOptions { MaxDegreeOfParallelism = 1, CancellationToken = Shutdown.Token }, async (order, token) =>
        {
            try
            {
                Volatile.Write(ref _waiting, 1);
                await Throttle.WaitAsync(token);
                try
                {
                    ShipLines(order);
                }
                finally
                {
                    Throttle.Release();
                }
            }
            catch (OperationCanceledException)
            {
                // Shutting down: ship what is left without the throttle (which the nested loop still takes).
                ShipLines(order);
            }
        });
        WaitUntil(() => Volatile.Read(ref _waiting) == 1);
        Thread.Sleep(200);
        _ = Task.Run(Shutdown.Cancel);
        WaitUntil(() => ThreadPool.PendingWorkItemCount == 0);
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
