namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// A real hang, sync and async mixed (review 26 D3, review 28 A3): a thread takes lock A with <c>A.Wait()</c>, then
/// waits in <c>B.Wait()</c>; a flow took B (<c>await B.WaitAsync()</c>) and awaits <c>A.WaitAsync()</c>; a main-like
/// thread waits on that flow. Neither can go on. The report names the thread that holds A's slot (it took it with
/// <c>Wait()</c>, it is not a leaked slot) and the flow that holds B.
/// </summary>
public sealed class AsyncLockHeldByThreadBlockedOnFlow : Scenario
{
    private static readonly SemaphoreSlim A = new(1, 1);
    private static readonly SemaphoreSlim B = new(1, 1);
    private static readonly TaskCompletionSource ATaken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static int s_waitingForA;

    public override string Name => "async-lock-held-by-thread-blocked-on-flow";

    public override Expectation Expected => new(Finding.AsyncHang)
    {
        TextContains = "count 0 of 1, 1 async waiter: slot taken with Wait() by thread 'sync-side'",
    };

    public override void Start()
    {
        var flow = BThenAAsync();
        var syncSide = Run("sync-side", AThenB);
        var main = Run("main-like", () => flow.GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waitingForA) == 1);
        WaitUntilBlocked(syncSide, main);
    }

    private static void AThenB()
    {
        A.Wait();
        try
        {
            ATaken.SetResult();
            B.Wait();
            B.Release();
        }
        finally
        {
            A.Release();
        }
    }

    private static async Task BThenAAsync()
    {
        await B.WaitAsync();
        try
        {
            await ATaken.Task;
            Interlocked.Increment(ref s_waitingForA);
            await A.WaitAsync();
            A.Release();
        }
        finally
        {
            B.Release();
        }
    }
}
