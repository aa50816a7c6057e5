namespace Brigade.Tests.Review46;

/// <summary>
/// Review 46 (a user's console app): an asynchronous item whose task never completes and which ignores its token held the
/// run for good under <see cref="RunOptions.ItemTimeout"/> (Polly's timeout only cancels the token), on every in-process
/// engine: the caller's await never returned, whatever the timeout and a cancel. Past the timeout and a grace of one second
/// the attempt is now abandoned and its item fails with the reason, by index.
/// </summary>
public sealed class AbandonedAttemptTests
{
    public static TheoryData<string> Engines => ["sequential", "threadpool", "threads", "async"];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task ATaskThatNeverCompletes_IgnoringItsToken_FailsItsItemPastTheTimeout(string engine)
    {
        Assert.True(Engine.TryGetBuiltIn(engine, out var chosen));
        var options = new RunOptions { Engine = chosen, ItemTimeout = TimeSpan.FromMilliseconds(200) };

        var run = Runner.MapAsync([0, 1, 2], async (int i, CancellationToken ct) =>
        {
            if (i == 1)
            {
                await new TaskCompletionSource().Task.ConfigureAwait(false);
            }

            await Task.Yield();
            return i;
        }, options);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        var failure = Assert.Single(result.Failures);
        Assert.Equal(1, failure.Index);
        Assert.Equal("TimeoutRejectedException", failure.Exception.GetType().Name);
        Assert.Contains("ignored its cancellation", failure.Exception.Message, StringComparison.Ordinal);
        Assert.Equal([0, 2], new[] { result[0].Value, result[2].Value });
    }
}
