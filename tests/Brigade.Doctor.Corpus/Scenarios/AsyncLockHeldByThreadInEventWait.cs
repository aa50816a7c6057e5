namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program (review 26 D2): a dedicated thread takes the async lock with <c>Gate.Wait()</c> and holds it while it
/// waits, without a timeout, for a <c>ManualResetEventSlim</c> something else sets (a Ctrl+C handler); two flows await
/// <c>Gate.WaitAsync()</c>. The holder is a thread that any setter of the event wakes: not a leaked slot.
/// </summary>
public sealed class AsyncLockHeldByThreadInEventWait : Scenario
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly ManualResetEventSlim Go = new(false);
    private static int s_waiting;

    public override string Name => "twin-async-lock-held-by-thread-in-event-wait";

    public override Expectation Expected => new(Finding.None) { Blocked = ["holder"], WaitKinds = ["ManualResetEventSlim"] };

    public override void Start()
    {
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            Go.Set();
        };
        var holder = Run("holder", Hold);
        WaitUntilBlocked(holder);
        var main = Run("main-like", () => Task.WhenAll(WorkAsync(), WorkAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(main);
    }

    private static void Hold()
    {
        Gate.Wait();
        try
        {
            Go.Wait();
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
