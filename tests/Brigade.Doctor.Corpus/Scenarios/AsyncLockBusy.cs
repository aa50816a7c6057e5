namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct twin: one async flow holds a <c>SemaphoreSlim(1, 1)</c> async lock while it awaits a timer (slow work), and
/// two more flows await the lock's <c>WaitAsync</c>. The lock is busy, not deadlocked: its holder makes progress.
/// </summary>
public sealed class AsyncLockBusy : Scenario
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static int s_waiting;

    public override string Name => "twin-async-lock-busy";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var main = Run("main-like", () => Task.WhenAll(SlowWorkAsync(), QueuedWorkAsync(), QueuedWorkAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(main);
    }

    private static async Task SlowWorkAsync()
    {
        await Gate.WaitAsync();
        try
        {
            await Task.Delay(TimeSpan.FromHours(1));
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task QueuedWorkAsync()
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
