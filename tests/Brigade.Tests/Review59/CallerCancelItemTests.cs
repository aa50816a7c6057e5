namespace Brigade.Tests.Review59;

/// <summary>
/// Once the caller's token reads as cancelled, no worker starts another item, whatever runs first on that token. Review 58
/// made the takes check the caller's token, but the item loop checked only the run's linked stop token, which hears of the
/// cancel once its own callback runs: callbacks registered later on the caller's token run before it, and while a slow one
/// ran, every other worker went through the rest of its batch (up to a fixed <see cref="RunOptions.BatchSize"/> of 1,000
/// here). Now each item start checks the caller's token too: at most one item per other worker can start after the cancel
/// (one whose check came just before it).
/// </summary>
public sealed class CallerCancelItemTests
{
    private const int StopAt = 200;
    private const int Width = 4;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var engine in new[] { "threadpool", "threads", "async", "auto" })
        {
            foreach (var shape in new[] { "foreach", "map", "map-async", "map-timeout", "map-async-timeout", "map-retry" })
            {
                data.Add(engine, shape);
            }
        }

        return data;
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Cases))]
    public async Task CallerCancel_WithASlowCallbackRunningFirst_NoOtherWorkerStartsMoreThanOneItem(string engineName, string shape)
    {
        Assert.True(Engine.TryGetBuiltIn(engineName, out var engine));
        var started = 0;
        var atCancel = -1;
        using var cts = new CancellationTokenSource();
        void Start()
        {
            if (Interlocked.Increment(ref started) == StopAt)
            {
                // Registered after the run's own registrations, so it runs before them: the run's linked tokens hear of the
                // cancel 300 ms after the caller's token reads as cancelled. It runs once the token reads as cancelled, and
                // first reads how many items had started: other workers go on between this item's start and its cancel
                // (a thread preempted at load), which is not what is tested.
                cts.Token.Register(() =>
                {
                    Volatile.Write(ref atCancel, Volatile.Read(ref started));
                    Thread.Sleep(300);
                });
                cts.Cancel();
            }
        }

        var options = new RunOptions
        {
            Engine = engine,
            MaxDegreeOfParallelism = Width,
            BatchSize = 1_000,
            ItemTimeout = shape.EndsWith("-timeout", StringComparison.Ordinal) ? TimeSpan.FromMinutes(5) : null,
            ItemRetry = shape == "map-retry" ? new ItemRetryOptions { MaxRetries = 100, Delay = TimeSpan.Zero } : null,
        };

        Task run = shape switch
        {
            "foreach" => Runner.ForEachAsync(Endless(), _ => Start(), options, cts.Token),
            "map" or "map-timeout" => Runner.MapAsync(Endless(), x => { Start(); return x; }, options, cts.Token),
            // Every attempt fails and is retried at once: a retry is an item started again.
            "map-retry" => Runner.MapAsync(Endless(), int (x) => { Start(); throw new InvalidOperationException("again"); }, options, cts.Token),
            _ => Runner.MapAsync(Endless(), (int x, CancellationToken _) => { Start(); return new ValueTask<int>(x); }, options, cts.Token),
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        // Before: 200 + up to 3 batches of 1,000 (each other worker's batch in hand ran whole during the callback: 1,199 to
        // 2,200 in the cases that failed), or attempt after attempt of the items in hand (retries).
        Assert.InRange(Volatile.Read(ref started) - Volatile.Read(ref atCancel), 0, Width - 1);
    }

    private static IEnumerable<int> Endless()
    {
        for (var i = 0; ; i++)
        {
            yield return i;
        }
    }
}
