namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// An async lock whose slot leaked: a flow took the <c>SemaphoreSlim(1, 1)</c>, threw before its <c>Release</c> (no
/// <c>finally</c>), and the next flows wait on it forever while a main-like thread waits on them. No flow holds it (the
/// one that took it has ended), so it is a hang (BRG1008), not a deadlock.
/// </summary>
public sealed class AsyncSemaphoreSlotLeaked : Scenario
{
    private static readonly SemaphoreSlim Cache = new(1, 1);
    private static int s_waiting;

    public override string Name => "async-semaphore-slot-leaked";

    public override Expectation Expected => new(Finding.AsyncHang)
    {
        TextContains = "SemaphoreSlim (static field Brigade.Doctor.Corpus.Scenarios.AsyncSemaphoreSlotLeaked.Cache), count 0 of 1, 2 async waiters: no suspended flow shows taking its slot",
    };

    public override void Start()
    {
        var main = Run("main-like", () => RunAsync().GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(main);
    }

    private static async Task RunAsync()
    {
        try
        {
            await RefreshAsync();
        }
        catch (InvalidOperationException)
        {
            // Logged and ignored, as such code often does.
        }

        await Task.WhenAll(ReadAsync(), ReadAsync());
    }

    private static async Task RefreshAsync()
    {
        await Cache.WaitAsync();
        await Task.Yield();
        Load();
        Cache.Release();
    }

    private static async Task ReadAsync()
    {
        Interlocked.Increment(ref s_waiting);
        await Cache.WaitAsync();
        try
        {
            await Task.Yield();
        }
        finally
        {
            Cache.Release();
        }
    }

    private static void Load() => throw new InvalidOperationException("the cache could not be loaded");
}
