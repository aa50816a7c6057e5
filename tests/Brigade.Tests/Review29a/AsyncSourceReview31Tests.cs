using Brigade.Sources;

namespace Brigade.Tests.Review29a;

/// <summary>
/// Review 31 of the async source's pump: an enumerator whose <c>Current</c> throws ended nothing (the run hung, the enumerator
/// was never disposed; F1), and a take that emptied the buffer while the pump was idle left other takers parked with the
/// producer ready (F2).
/// </summary>
public sealed class AsyncSourceReview31Tests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static TheoryData<string, bool> EnginesAndSteps
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var engine in EngineNames.All)
            {
                data.Add(engine, true);
                data.Add(engine, false);
            }

            return data;
        }
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(EnginesAndSteps))]
    public async Task CurrentThrows_SourceFailed_ItemsReadExact_EnumeratorDisposedOnce(string engine, bool asyncSteps)
    {
        const int ThrowAt = 3;
        var producer = new ThrowingCurrent(ThrowAt, asyncSteps);
        var ran = new int[ThrowAt + 1];
        var run = Runner.ForEachAsync(producer, x => Interlocked.Increment(ref ran[x]), new RunOptions { Engine = EngineNames.Create(engine) });

        // Before the fix: the run never ended (the pump's exception was lost with _pumping set).
        var ex = await Assert.ThrowsAsync<SourceFailedException>(() => run.WaitAsync(Bound));
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Equal(ThrowAt, ex.ItemsRead);
        Assert.Equal([1, 1, 1, 0], ran);
        Assert.Equal(1, producer.Gets);
        Assert.Equal(1, Volatile.Read(ref producer.Disposed));
    }

    [Fact(Timeout = 60_000)]
    public async Task TakersParkedWithUnequalBatches_AllGetItems_WhenTheProducerIsReady()
    {
        // The reviewer's parked2 probe: takers asking 4, 1 and 1 park on a pending first step; then 1000 items are ready
        // synchronously. Before the fix the first woken taker drained the read-ahead and the other two stayed parked.
        for (var iteration = 0; iteration < 20; iteration++)
        {
            var gate = new TaskCompletionSource();
            var source = (AsyncEnumerableSource<int>)ItemSource<int>.From(Gated(gate.Task, 1000));
            var t1 = source.TakeAsync(4, CancellationToken.None).AsTask();
            var t2 = source.TakeAsync(1, CancellationToken.None).AsTask();
            var t3 = source.TakeAsync(1, CancellationToken.None).AsTask();
            Assert.False(t1.IsCompleted || t2.IsCompleted || t3.IsCompleted);

            gate.SetResult();
            var batches = await Task.WhenAll(t1, t2, t3).WaitAsync(Bound);

            AssertDisjointFromZero(batches);
            await source.DisposeAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task TakersParked_AReturningTakerTakesTwice_TheParkedOnesStillGetItems()
    {
        // The reviewer's parked probe: three takers of 1 park on a pending first step; after the release a returning
        // taker takes twice (without reading: the buffer holds what it asks). The parked ones must not wait for its next take.
        for (var iteration = 0; iteration < 20; iteration++)
        {
            var gate = new TaskCompletionSource();
            var source = (AsyncEnumerableSource<int>)ItemSource<int>.From(Gated(gate.Task, 1000));
            var parked = new[]
            {
                source.TakeAsync(1, CancellationToken.None).AsTask(),
                source.TakeAsync(1, CancellationToken.None).AsTask(),
                source.TakeAsync(1, CancellationToken.None).AsTask(),
            };
            Assert.DoesNotContain(parked, t => t.IsCompleted);

            gate.SetResult();
            var x1 = await source.TakeAsync(1, CancellationToken.None).AsTask().WaitAsync(Bound);
            var x2 = await source.TakeAsync(1, CancellationToken.None).AsTask().WaitAsync(Bound);
            var batches = await Task.WhenAll(parked).WaitAsync(Bound);

            AssertDisjointFromZero([.. batches, x1, x2]);
            await source.DisposeAsync();
        }
    }

    private static void AssertDisjointFromZero(ItemBatch<int>[] batches)
    {
        var seen = new HashSet<long>();
        foreach (var batch in batches)
        {
            Assert.True(batch.Count > 0);
            for (var i = 0; i < batch.Count; i++)
            {
                Assert.True(seen.Add(batch.StartIndex + i));
                Assert.Equal(batch.StartIndex + i, batch.Items.Span[i]);
            }
        }

        Assert.Equal(Enumerable.Range(0, seen.Count).Select(i => (long)i), seen.Order());
    }

    // The first step waits for the gate; every later step completes synchronously.
    private static async IAsyncEnumerable<int> Gated(Task gate, int count)
    {
        await gate.ConfigureAwait(false);
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }
    }

    // A hand-written enumerator (compiler iterators never throw from Current): Current throws at one index.
    private sealed class ThrowingCurrent(int throwAt, bool asyncSteps) : IAsyncEnumerable<int>, IAsyncEnumerator<int>
    {
        private int _index = -1;
        public int Disposed;
        public int Gets;

        public int Current => _index == throwAt ? throw new InvalidOperationException("Current boom") : _index;

        public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Gets);
            return this;
        }

        public ValueTask<bool> MoveNextAsync() => asyncSteps ? StepAsync() : new(++_index < 100);

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref Disposed);
            return default;
        }

        private async ValueTask<bool> StepAsync()
        {
            await Task.Yield();
            return ++_index < 100;
        }
    }
}
