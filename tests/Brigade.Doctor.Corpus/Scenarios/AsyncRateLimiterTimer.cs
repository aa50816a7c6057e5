namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program: a token bucket, <c>SemaphoreSlim(2, 2)</c> refilled by a <c>System.Threading.Timer</c> every hour;
/// the tokens are spent and two calls queue. Throttled, not hung: a scheduled timer will release the semaphore.
/// </summary>
public sealed class AsyncRateLimiterTimer : Scenario
{
    private static readonly SemaphoreSlim Tokens = new(2, 2);
    private static readonly Timer Refill = new(_ => Tokens.Release(2 - Tokens.CurrentCount), null, TimeSpan.FromHours(1), TimeSpan.FromHours(1));
    private static int s_calls;

    public override string Name => "twin-async-rate-limiter-timer";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        GC.KeepAlive(Refill);
        var main = Run("main-like", () => Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CallAsync())).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_calls) == 4 && Tokens.CurrentCount == 0);
        WaitUntilBlocked(main);
        Thread.Sleep(200);
    }

    private static async Task CallAsync()
    {
        Interlocked.Increment(ref s_calls);
        await Tokens.WaitAsync();
        await Task.Yield(); // the call; the token is spent, returned by the timer
    }
}
