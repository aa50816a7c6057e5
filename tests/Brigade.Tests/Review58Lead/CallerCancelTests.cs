namespace Brigade.Tests.Review58Lead;

/// <summary>A run stops taking batches as soon as its caller's token is cancelled, not once the run's own linked token has
/// heard of it: a callback on the caller's token that runs before the run's (registered later) held that back, and
/// meanwhile another worker took batch after batch of an endless input (ci157: 4,157 items run after a cancel at 500, in
/// the conformance case that allows 532).</summary>
public sealed class CallerCancelTests
{
    [Fact(Timeout = 60_000)]
    public async Task CallerCancel_WithASlowCallbackRunningFirst_NoMoreBatchesAreTaken()
    {
        const int stopAt = 200;
        const int width = 2;
        const int batch = 4;
        var completed = 0;
        var atCancel = -1;
        using var cts = new CancellationTokenSource();
        void Work(int item)
        {
            if (Interlocked.Increment(ref completed) == stopAt)
            {
                // Registered after the run's own registrations, so it runs before them, and holds the cancel back 300 ms.
                // It first reads how many items had started once the token reads as cancelled (review 59).
                cts.Token.Register(() =>
                {
                    Volatile.Write(ref atCancel, Volatile.Read(ref completed));
                    Thread.Sleep(300);
                });
                cts.Cancel();
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner.ForEachAsync(
            Endless(), Work, new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = width, BatchSize = batch }, cts.Token));

        // Before the fix, 593,280 items ran in the callback's 300 ms; after it, 200-208 quiet and up to 264 beside other
        // tests: the items the other worker started between item 200's start and its cancel (this thread preempted), and its
        // batch in hand, whose item loop checked only the run's linked token. Since review 59 each item start checks the
        // caller's token too: once it reads as cancelled, the other worker starts at most the one item whose check came just
        // before (Review59/CallerCancelItemTests).
        Assert.InRange(Volatile.Read(ref completed), stopAt, stopAt + 2_000);
        Assert.InRange(Volatile.Read(ref completed) - Volatile.Read(ref atCancel), 0, width - 1);
    }

    private static IEnumerable<int> Endless()
    {
        for (var i = 0; ; i++)
        {
            yield return i;
        }
    }
}
