namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program (review 26 D1): a flow holds async lock A while it awaits a completion source (an event to come: no
/// timer anywhere); a second flow holds B and waits for A; a third takes A only when asked (<c>if (takeA) await
/// A.WaitAsync();</c>, here not) and waits for B. In IL order the third passed A's <c>WaitAsync</c>, but A's slot is held
/// by the first flow, which is not stuck: when its event comes, all three finish. Busy, not deadlocked.
/// </summary>
public sealed class AsyncLockTakenConditionally : Scenario
{
    private static readonly SemaphoreSlim A = new(1, 1);
    private static readonly SemaphoreSlim B = new(1, 1);
    private static readonly TaskCompletionSource Stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static int s_step;

    public override string Name => "twin-async-lock-taken-conditionally";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var main = Run("main-like", () => RunAsync().GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_step) == 3 && B.CurrentCount == 0);
        WaitUntilBlocked(main);
    }

    private static async Task RunAsync()
    {
        var holder = HoldAAsync();
        var second = TakeBThenAAsync();
        while (Volatile.Read(ref s_step) < 2)
        {
            await Task.Yield();
        }

        await Task.WhenAll(MaybeAThenBAsync(takeA: false), second, holder);
    }

    private static async Task HoldAAsync()
    {
        await A.WaitAsync();
        try
        {
            Interlocked.Increment(ref s_step);
            await Stop.Task;
        }
        finally
        {
            A.Release();
        }
    }

    private static async Task TakeBThenAAsync()
    {
        while (Volatile.Read(ref s_step) < 1)
        {
            await Task.Yield();
        }

        await B.WaitAsync();
        try
        {
            Interlocked.Increment(ref s_step);
            await A.WaitAsync();
            A.Release();
        }
        finally
        {
            B.Release();
        }
    }

    private static async Task MaybeAThenBAsync(bool takeA)
    {
        if (takeA)
        {
            await A.WaitAsync();
        }

        try
        {
            Interlocked.Increment(ref s_step);
            await B.WaitAsync();
            B.Release();
        }
        finally
        {
            if (takeA)
            {
                A.Release();
            }
        }
    }
}
