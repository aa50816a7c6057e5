using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review48;

/// <summary>
/// lib48: review 47's second of grace before abandoning an item that ignores its token also applied to the run's own
/// stops. Under <see cref="FailureMode.StopOnFirstFailure"/>, an honest item still running a second after another item's
/// failure was abandoned and its result dropped, where the conformance kit promises that running items finish and keep
/// their results. Only the caller leaving (its token, a stream's reader) abandons now.
/// </summary>
public sealed class StopKeepsRunningItemsTests
{
    public static TheoryData<string, bool> Paths => new()
    {
        { "threadpool", false },
        { "threads", false },
        { "async", false },
        { "threads", true },
        { "async", true },
    };

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(Paths))]
    public async Task StopOnFirstFailure_AnItemRunningPastTheGrace_FinishesAndKeepsItsResult(string engine, bool withItemTimeout)
    {
        Assert.True(Engine.TryGetBuiltIn(engine, out var chosen));
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new RunOptions
        {
            Engine = chosen,
            BatchSize = 1,
            MaxDegreeOfParallelism = 2,
            FailureMode = FailureMode.StopOnFirstFailure,
            // The policy's paths (ResilientWork, ResilientAsyncWork): a limit far beyond the test.
            ItemTimeout = withItemTimeout ? TimeSpan.FromMinutes(5) : null,
        };

        var result = await Runner.MapAsync([0, 1], async (int i, CancellationToken ct) =>
        {
            if (i == 0)
            {
                await secondStarted.Task.WaitAsync(TestTimeouts.Generous, CancellationToken.None).ConfigureAwait(false);
                throw new InvalidOperationException("item 0 broke");
            }

            secondStarted.TrySetResult();
            using (ct.Register(() => stopSeen.TrySetResult()))
            {
                await stopSeen.Task.WaitAsync(TestTimeouts.Generous, CancellationToken.None).ConfigureAwait(false);
            }

            // The stop has cancelled this item's token; it goes on half a second past the grace, then returns.
            await Task.Delay(TimeSpan.FromSeconds(1.5), CancellationToken.None).ConfigureAwait(false);
            return 10 + i;
        }, options).Bounded();

        // Before: item 1 failed with "ignored the run's cancellation ... abandoned" (a TimeoutException) after 1 s.
        Assert.True(result.Report.StoppedOnFailure);
        Assert.Equal(0, Assert.Single(result.Report.Failures).Index);
        Assert.Equal(ItemStatus.Succeeded, result[1].Status);
        Assert.Equal(11, result[1].Value);
        Assert.Equal(1, result.Report.Succeeded);
    }

    public static TheoryData<string> CallerCancelEngines => ["threads", "async"];

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(CallerCancelEngines))]
    public async Task StopOnFirstFailure_ThenTheCallerCancels_AnItemIgnoringItsTokenIsStillAbandoned(string engine)
    {
        // The stop waits for the item; the caller's own cancel afterwards still ends the call a second later.
        Assert.True(Engine.TryGetBuiltIn(engine, out var chosen));
        using var cts = new CancellationTokenSource();
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new RunOptions { Engine = chosen, BatchSize = 1, MaxDegreeOfParallelism = 2, FailureMode = FailureMode.StopOnFirstFailure };

        var run = Runner.MapAsync([0, 1], async (int i, CancellationToken ct) =>
        {
            if (i == 0)
            {
                await secondStarted.Task.WaitAsync(TestTimeouts.Generous, CancellationToken.None).ConfigureAwait(false);
                throw new InvalidOperationException("item 0 broke");
            }

            secondStarted.TrySetResult();
            ct.Register(() => stopSeen.TrySetResult());
            await new TaskCompletionSource().Task.ConfigureAwait(false);
            return i;
        }, options, cts.Token);

        await stopSeen.Task.Bounded();
        await cts.CancelAsync();

        var e = await Assert.ThrowsAsync<RunCanceledException>(() => run.Bounded());
        Assert.Contains(e.Report.Failures, f => f.Index == 1 && f.Exception is TimeoutException);
        Assert.Contains("1 started item ignored the cancellation and was abandoned", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90_000)]
    public async Task Stream_ReaderLeavesWhileAnItemIgnoresItsToken_LeavingTheLoopEndsInBoundedTime()
    {
        // The reader left: nobody reads the results any more, so the stream's disposal does not wait for an item that
        // ignores its token beyond the second of grace.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = Runner.StreamAsync([0, 1, 2, 3], async (int i, CancellationToken ct) =>
        {
            if (i == 1)
            {
                started.TrySetResult();
                await new TaskCompletionSource<int>().Task.ConfigureAwait(false);
            }

            await Task.Yield();
            return i;
        }, new RunOptions { Engine = Engine.Async, BatchSize = 1, MaxDegreeOfParallelism = 2 });

        async Task ReadAsync()
        {
            await foreach (var r in stream)
            {
                await started.Task.ConfigureAwait(false);
                break;
            }
        }

        await ReadAsync().Bounded();
        Assert.True(stream.Report!.Abandoned);
    }
}
