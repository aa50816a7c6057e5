namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// A real hang with a synchronous holder: a thread takes the async lock with <c>Gate.Wait()</c>, then blocks on flows
/// that await <c>Gate.WaitAsync()</c> (<c>GetAwaiter().GetResult()</c> under the lock). The thread holding the slot waits
/// only for the stuck flows: nothing can release it (BRG1008), though a thread took the slot (review 26 D2's counterpart:
/// a holder counts as able to go on only when its wait is not for these flows).
/// </summary>
public sealed class AsyncLockHeldByWaitingThread : Scenario
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static int s_waiting;

    public override string Name => "async-lock-held-by-waiting-thread";

    public override Expectation Expected => new(Finding.AsyncHang)
    {
        TextContains = "SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.AsyncLockHeldByWaitingThread.Gate), count 0 of 1, 2 async waiters",
    };

    public override void Start()
    {
        var main = Run("main-like", Flush);
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(main);
    }

    private static void Flush()
    {
        Gate.Wait();
        try
        {
            Task.WhenAll(WorkAsync(), WorkAsync()).GetAwaiter().GetResult();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task WorkAsync()
    {
        Interlocked.Increment(ref s_waiting);
        await Gate.WaitAsync();
        try
        {
            await Task.Yield();
        }
        finally
        {
            Gate.Release();
        }
    }
}
