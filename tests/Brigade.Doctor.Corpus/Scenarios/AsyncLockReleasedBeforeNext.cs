namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct twin: flow A takes async lock A and releases it (in a <c>finally</c>) before it waits for lock B; flow B holds
/// B and waits for A, which a third flow holds while it awaits a timer. A passed A's <c>WaitAsync</c> but released it on
/// the way: it holds nothing B waits for, so there is no cycle, only a busy lock.
/// </summary>
public sealed class AsyncLockReleasedBeforeNext : Scenario
{
    private static readonly SemaphoreSlim LockA = new(1, 1);
    private static readonly SemaphoreSlim LockB = new(1, 1);
    private static readonly TaskCompletionSource FirstDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TaskCompletionSource BHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TaskCompletionSource AHeldBySlow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static int s_waiting;

    public override string Name => "twin-async-lock-released-before-next";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var main = Run("main-like", () => Task.WhenAll(FirstThenSecondAsync(), SlowHolderAsync(), SecondThenFirstAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(main);
    }

    private static async Task FirstThenSecondAsync()
    {
        await LockA.WaitAsync();
        try
        {
            FirstDone.SetResult();
        }
        finally
        {
            LockA.Release();
        }

        await BHeld.Task;
        await AHeldBySlow.Task;
        Interlocked.Increment(ref s_waiting);
        await LockB.WaitAsync();
        LockB.Release();
    }

    private static async Task SlowHolderAsync()
    {
        await FirstDone.Task;
        await LockA.WaitAsync();
        try
        {
            AHeldBySlow.SetResult();
            await Task.Delay(TimeSpan.FromHours(1));
        }
        finally
        {
            LockA.Release();
        }
    }

    private static async Task SecondThenFirstAsync()
    {
        await LockB.WaitAsync();
        try
        {
            BHeld.SetResult();
            await AHeldBySlow.Task;
            Interlocked.Increment(ref s_waiting);
            await LockA.WaitAsync();
            LockA.Release();
        }
        finally
        {
            LockB.Release();
        }
    }
}
