using Brigade.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Brigade.Tests.Review63Lib;

/// <summary>
/// lib63: a run hears that its <see cref="Progress{T}"/> handler ran through the instance's <c>ProgressChanged</c>, which
/// another run sharing the instance raises too; it told its own call by the snapshot's figures, so two runs with the same
/// figures (the same counts at the same elapsed time, as under one fake clock) took each other's call for their own: a run
/// returned before its final call had run. Each run's calls are now stamped as its own.
/// </summary>
public sealed class SharedProgressTests
{
    [Fact(Timeout = 90_000)]
    public async Task TwoRunsShareOneProgress_SameFigures_EachWaitsForItsOwnFinalCall()
    {
        var context = new QueuedContext();
        var calls = 0;
        Progress<RunProgress> progress;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            progress = new Progress<RunProgress>(_ => Interlocked.Increment(ref calls));
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        // One fake clock that never moves: both runs' final snapshots are 3 completed of 3, at 0 s.
        var options = new RunOptions { Engine = Engine.Sequential, Progress = progress, TimeProvider = new FakeTimeProvider() };
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => Runner.MapAsync(new[] { 1, 2, 3 }, x => x, options))).ToArray();
        var limit = DateTime.UtcNow + TestTimeouts.Generous;
        while (context.Count < 2)
        {
            Assert.True(DateTime.UtcNow < limit, "both runs' final calls were never posted");
            await Task.Delay(20);
        }

        // One call runs: it is one run's final call. The other run's never runs, so that run returns only once its end's
        // bound is out, saying its callback was late. Before: the handler's one run counted for both runs, and both
        // returned at once, neither late.
        context.RunOne();
        var reports = (await Task.WhenAll(runs).Bounded()).Select(r => r.Report).ToArray();
        context.RunOne();

        Assert.Equal(2, calls);
        Assert.Contains(reports, r => r.ProgressError is TimeoutException);
    }

    // Queues what Progress<T> posts; the test runs the calls one at a time.
    private sealed class QueuedContext : SynchronizationContext
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _posted = new();

        public int Count => _posted.Count;

        public override void Post(SendOrPostCallback d, object? state) => _posted.Enqueue((d, state));

        public void RunOne()
        {
            Assert.True(_posted.TryDequeue(out var call), "nothing was posted");
            call.Callback(call.State);
        }
    }
}
