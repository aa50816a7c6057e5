namespace Brigade.Testing.Conformance.Cases;

/// <summary>
/// <see cref="RunOptions.ItemRetry"/> and <see cref="RunOptions.ItemTimeout"/>: a failed item is tried again and its
/// failure, when it stays, keeps its index and its attempts; an attempt past the timeout fails its item and no other.
/// Every engine either applies them (in this process, or where it runs items) or rejects them plainly.
/// </summary>
/// <remarks>An item's attempts are counted by its gate, so a transient failure behaves the same in this process, in a
/// worker process and on a silo.</remarks>
internal static class ResilienceCases
{
    private const string Area = "Resilience";
    private const int Count = 20;
    private const string PollyTimeout = "Polly.Timeout.TimeoutRejectedException";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private static readonly int[] Transient = [3, 11];

    public static IEnumerable<ConformanceCase> All =>
    [
        new(Area, "Retry_TransientFailure_SucceedsAfterItsAttempts", "Items that fail their first runs succeed on a retry, with their values; each ran once per attempt.", TransientAsync),
        new(Area, "Retry_Exhausted_FailsWithIndexAndAttempts", "An item that always fails is reported once retries are exhausted, with its index, its last exception and its attempts; the others complete.", ExhaustedAsync),
        new(Area, "Timeout_SlowItem_FailsWithIndex_OthersComplete", "An item past the item timeout fails with a timeout, with its index; every other item completes.", SlowItemAsync),
    ];

    private static bool Applies(CaseContext c) =>
        (c.Capabilities & (EngineCapabilities.InProcess | EngineCapabilities.ItemTimeoutAndRetry)) != 0;

    private static RunOptions Retrying(CaseContext c, int retries) => With(c, o => o.ItemRetry = new ItemRetryOptions
    {
        MaxRetries = retries,
        Delay = TimeSpan.FromMilliseconds(20),
        Backoff = RetryBackoff.Constant,
        UseJitter = false,
    });

    private static RunOptions With(CaseContext c, Action<RunOptions> set)
    {
        var options = c.Options(batchSize: 4);
        set(options);
        return options;
    }

    // An engine that does not apply the options must say so before any item runs, not ignore them.
    private static async Task<bool> RejectedWhenUnsupportedAsync(CaseContext c, RunOptions options)
    {
        if (Applies(c))
        {
            return false;
        }

        var error = await c.ThrowsAsync<NotSupportedException>(() => CaseContext.MapAsync(Shape.Array, CaseContext.Items(3), false, options), "a run with item retry or timeout").ConfigureAwait(false);
        c.True(error.Message.Contains(c.Engine.Name, StringComparison.Ordinal), $"the message names the engine: {error.Message}");
        return true;
    }

    private static async Task TransientAsync(CaseContext c)
    {
        if (await RejectedWhenUnsupportedAsync(c, Retrying(c, 3)).ConfigureAwait(false))
        {
            return;
        }

        foreach (var asyncWork in new[] { false, true })
        {
            c.Variant = asyncWork ? "async work" : "sync work";
            using var gate = c.NewGate();
            var items = CaseContext.Items(Count, i => i with { Gate = gate.Key, FailRuns = Transient.Contains(i.Value) ? 2 : 0 });
            var result = await CaseContext.Bounded(CaseContext.MapAsync(Shape.Array, items, asyncWork, Retrying(c, 3))).ConfigureAwait(false);
            c.True(result.IsSuccess, $"the run is a success ({string.Join("; ", result.Failures)})");
            for (var i = 0; i < Count; i++)
            {
                c.Equal(CaseContext.Result(i), result[i].Value, $"value of item {i}");
            }

            foreach (var i in Transient)
            {
                c.Equal(3, gate.StartsOf(i), $"runs of item {i} (two failures, then a success)");
            }

            c.Equal(1, gate.StartsOf(0), "runs of item 0, which did not fail");
            c.Equal((long)Count, result.Report.Succeeded, "report's succeeded");
        }
    }

    private static async Task ExhaustedAsync(CaseContext c)
    {
        if (await RejectedWhenUnsupportedAsync(c, Retrying(c, 2)).ConfigureAwait(false))
        {
            return;
        }

        foreach (var asyncWork in new[] { false, true })
        {
            c.Variant = asyncWork ? "async work" : "sync work";
            using var gate = c.NewGate();
            var items = CaseContext.Items(Count, i => i with { Gate = gate.Key, Fail = i.Value == 5 });
            var result = await CaseContext.Bounded(CaseContext.MapAsync(Shape.Array, items, asyncWork, Retrying(c, 2))).ConfigureAwait(false);
            c.Sequence([5L], result.Failures.Select(f => f.Index), "failed indexes");
            var failure = result.Failures[0];
            Check.ItemBroke(failure, c.Where("failure"));
            c.Equal(3, failure.Attempts, "the failure's attempts (1 + 2 retries)");
            c.Equal(3, gate.StartsOf(5), "runs of item 5");
            c.Equal(ItemStatus.Failed, result[5].Status, "status of item 5");
            for (var i = 0; i < Count; i++)
            {
                if (i != 5)
                {
                    c.Equal(CaseContext.Result(i), result[i].Value, $"value of item {i}");
                }
            }

            c.Equal((long)(Count - 1), result.Report.Succeeded, "report's succeeded");
            c.Equal(1L, result.Report.Failed, "report's failed");
        }
    }

    private static async Task SlowItemAsync(CaseContext c)
    {
        if (await RejectedWhenUnsupportedAsync(c, With(c, o => o.ItemTimeout = Timeout)).ConfigureAwait(false))
        {
            return;
        }

        foreach (var asyncWork in new[] { false, true })
        {
            c.Variant = asyncWork ? "async work" : "sync work";

            // Synchronous work has no token: it sleeps past the timeout and its late result is discarded (or, on an engine
            // with a hard timeout, it is stopped). Asynchronous work is cancelled at the timeout.
            var items = CaseContext.Items(12, i => i.Value == 4 ? i with { SleepMilliseconds = asyncWork ? 30_000 : 2 * (int)Timeout.TotalMilliseconds } : i);
            var options = With(c, o => o.ItemTimeout = Timeout);
            options.BatchSize = 1;
            var result = await CaseContext.Bounded(CaseContext.MapAsync(Shape.Array, items, asyncWork, options)).ConfigureAwait(false);
            c.Sequence([4L], result.Failures.Select(f => f.Index), "failed indexes");
            var failure = result.Failures[0];
            var type = failure.Exception is RemoteWorkException remote ? remote.RemoteType : failure.Exception.GetType().FullName;
            var hard = c.Capabilities.HasFlag(EngineCapabilities.HardItemTimeout) && type == typeof(TimeoutException).FullName;
            c.True(type == PollyTimeout || hard, $"item 4 failed with a timeout, not {type}: {failure.Exception.Message}");
            c.Equal(1, failure.Attempts, "the failure's attempts");
            for (var i = 0; i < items.Length; i++)
            {
                if (i != 4)
                {
                    c.Equal(CaseContext.Result(i), result[i].Value, $"value of item {i}");
                }
            }

            c.Equal((long)(items.Length - 1), result.Report.Succeeded, "report's succeeded");
        }
    }
}
