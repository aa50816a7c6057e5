using System.Threading.Tasks.Sources;
using Brigade.Sources;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review32;

/// <summary>
/// Review 32: a take that left items in the buffer woke a parked taker, but signalled it only after restarting the pump
/// on its own thread; a producer that blocks its caller there until an item already read has run (a crawler reading its
/// results synchronously) waited for a taker that was marked woken and never told, and no other was woken for it (one is
/// on its way): a deadlock. The parked taker is now signalled before the pump restarts.
/// </summary>
/// <remarks>
/// Serial, and the producer released from a pool thread, as a real producer's continuation is. Review 38: released so,
/// it failed one run in two, another way: the pump stopped for room, the second taker came back on the pump's former
/// thread, took two items and restarted the pump on its own thread before its batch was out; the producer's step blocked
/// until that very batch had run. A take now restarts the pump on a pool thread (12 of 12 runs alone after, 30 under
/// load; about half failed before).
/// </remarks>
[Collection(SerialCollection.Name)]
public sealed class AsyncSourceWakeBeforeRestartTests
{
    // The producer waits up to ProducerWait for the second taker; the takes are awaited a while longer. Generous: in a
    // shared test host the taker's signal is a thread-pool hand-off, and CI's parallel test classes delayed one past 5 s
    // (read as the deadlock). The deadlock itself never ends, so it still fails (after ProducerWait).
    private static readonly TimeSpan ProducerWait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task TakeLeavesAnItem_PumpRestartBlocksOnIt_TheParkedTakerGetsItFirst()
    {
        // Repeated: the first taker's wake-up is a thread-pool hand-off racing three synchronous steps of the pump; the
        // steps almost always win, which is the case that deadlocked.
        for (var iteration = 0; iteration < 10; iteration++)
        {
            using var secondTook = new ManualResetEventSlim();
            var producer = new Producer(secondTook, ProducerWait);
            var source = (AsyncEnumerableSource<int>)ItemSource<int>.From(producer);

            // Both park on the first step: the first asks 3, the second 2.
            var first = source.TakeAsync(3, CancellationToken.None).AsTask();
            var second = source.TakeAsync(2, CancellationToken.None).AsTask();
            Assert.False(first.IsCompleted || second.IsCompleted);
            // Set on the thread that completes the take: one pool hand-off fewer.
            _ = second.ContinueWith(_ => secondTook.Set(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

            // Four items: the first wakes the first taker, which takes three, wakes the second for the fourth, and restarts
            // the pump, whose next step blocks until the second taker took.
            // Released from a pool thread: the pump runs inline in SetResult and blocks its thread in step 4, which must
            // not be the test's own (xunit's context has as many threads as cores, and the suite's other tests use them).
            _ = Task.Run(() => producer.Gate.SetResult(true));
            var batches = await Task.WhenAll(first, second).WaitAsync(Bound);

            // Before the fix: the producer's wait timed out (the second taker was signalled only after it).
            Assert.True(producer.WaitedInTime, $"iteration {iteration}: the parked taker was not told before the pump blocked");
            Assert.All(batches, b => Assert.True(b.Count > 0));
            Assert.Equal(batches.Sum(b => b.Count), batches.SelectMany(b => Enumerable.Range((int)b.StartIndex, b.Count)).Distinct().Count());
            await source.DisposeAsync();
        }
    }

    // Step 0 waits for Gate; steps 1-3 report pending once, then complete without waiting (so the pump counts its last
    // step as asynchronous, and a take restarts it); step 4 blocks its caller until the second taker took; then the end.
    private sealed class Producer(ManualResetEventSlim secondTook, TimeSpan wait) : IAsyncEnumerable<int>, IAsyncEnumerator<int>
    {
        private int _index = -1;

        public TaskCompletionSource<bool> Gate { get; } = new();

        public bool WaitedInTime { get; private set; } = true;

        public int Current => _index;

        public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default) => this;

        public ValueTask<bool> MoveNextAsync()
        {
            var next = ++_index;
            switch (next)
            {
                case 0:
                    return new ValueTask<bool>(Gate.Task);
                case <= 3:
                    return new ValueTask<bool>(new PendingOnce(), 0);
                case 4:
                    WaitedInTime = secondTook.Wait(wait);
                    return new ValueTask<bool>(true);
                default:
                    return new ValueTask<bool>(false);
            }
        }

        public ValueTask DisposeAsync() => default;
    }

    // Looks pending to the first glance, complete (true) to every later one.
    private sealed class PendingOnce : IValueTaskSource<bool>
    {
        private int _looks;

        public ValueTaskSourceStatus GetStatus(short token) =>
            Interlocked.Increment(ref _looks) == 1 ? ValueTaskSourceStatus.Pending : ValueTaskSourceStatus.Succeeded;

        public bool GetResult(short token) => true;

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            ThreadPool.UnsafeQueueUserWorkItem(continuation, state, preferLocal: false);
    }
}
