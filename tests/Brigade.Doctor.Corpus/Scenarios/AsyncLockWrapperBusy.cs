#pragma warning disable CA1001 // a corpus program: its objects live until the process ends

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct twin of <see cref="AsyncLockWrapperDeadlock"/>: through the "AsyncLock" wrapper, a background refresh holds
/// the lock across a long <c>Task.Delay</c> and two requests queue on it. Busy, not hung: the holder took its slot in
/// <c>LockAsync</c>, a callee that has returned, and awaits a timer.
/// </summary>
public sealed class AsyncLockWrapperBusy : Scenario
{
    private static readonly AsyncLock Lock = new();
    private static int s_waiting;

    public override string Name => "twin-async-lock-wrapper-busy";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        _ = RefreshAsync(); // fire and forget: the main-like thread waits only for the queued requests
        var main = Run("main-like", () => Task.WhenAll(RequestAsync(), RequestAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(main);
        Thread.Sleep(200);
    }

    private static async Task RefreshAsync()
    {
        using (await Lock.LockAsync())
        {
            await Task.Delay(TimeSpan.FromHours(1));
        }
    }

    private static async Task RequestAsync()
    {
        await Task.Yield();
        Interlocked.Increment(ref s_waiting);
        using (await Lock.LockAsync())
        {
            await Task.Yield();
        }
    }

    private sealed class AsyncLock
    {
        private readonly SemaphoreSlim _semaphore = new(1, 1);

        public async Task<IDisposable> LockAsync()
        {
            await _semaphore.WaitAsync();
            return new Releaser(_semaphore);
        }

        private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
        {
            public void Dispose() => semaphore.Release();
        }
    }
}
