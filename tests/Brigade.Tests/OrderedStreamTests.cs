using System.Runtime.CompilerServices;
using Brigade.TestSupport;

namespace Brigade.Tests;

public sealed class OrderedStreamTests
{
    public static TheoryData<string> Engines => ["sequential", "threadpool", "threads", "async"];

    public static TheoryData<string, bool> EnginesAndReaders
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var engine in (string[])["sequential", "threadpool", "threads", "async"])
            {
                data.Add(engine, false);
                data.Add(engine, true);
            }

            return data;
        }
    }

    private static Engine EngineNamed(string name) => Engine.TryGetBuiltIn(name, out var e) ? e : throw new ArgumentException(name);

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(EnginesAndReaders))]
    public async Task StreamAsync_PreserveOrder_YieldsInputOrder_WhenLaterItemsFinishFirst(string engine, bool inlineReader)
    {
        // Even items wait for the next odd item to finish, so completion order differs from input order
        // whenever the engine runs items side by side.
        var items = Enumerable.Range(0, 200).ToArray();
        var gates = items.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var options = new RunOptions { Engine = EngineNamed(engine), PreserveOrder = true, MaxDegreeOfParallelism = 4, BatchSize = 1, AllowSynchronousContinuations = inlineReader };

        var seen = new List<long>();
        await foreach (var r in Runner.StreamAsync(items, async (x, ct) =>
        {
            if (x % 2 == 0 && engine != "sequential")
            {
                await gates[x + 1].Task.WaitAsync(TimeSpan.FromSeconds(5), ct);
            }

            gates[x].TrySetResult();
            return x * 10;
        }, options))
        {
            Assert.True(r.IsSuccess);
            Assert.Equal(r.Index * 10, r.Value);
            seen.Add(r.Index);
        }

        Assert.Equal(items.Select(i => (long)i), seen);
    }

    [Fact(Timeout = 30_000)]
    public async Task StreamAsync_PreserveOrder_SlowFirstItem_BoundsHowFarInputIsRead()
    {
        const int Capacity = 16;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var produced = 0;
        var finished = 0;
        var ticks = new ProgressTicks();
        // Batches of one item, so that "one batch per worker" is 8 items: the input's pump hands a worker everything it
        // read meanwhile (up to the batch size), and adaptive batches grow while they are full.
        var options = new RunOptions { Engine = Engine.Async, PreserveOrder = true, StreamCapacity = Capacity, MaxDegreeOfParallelism = 8, BatchSize = 1, Progress = ticks };
        var stream = Runner.StreamAsync(Endless(() => Interlocked.Increment(ref produced)), async (x, ct) =>
        {
            if (x == 0)
            {
                await release.Task.WaitAsync(ct);
            }

            Interlocked.Increment(ref finished);
            return x;
        }, options);

        await using var e = stream.GetAsyncEnumerator();
        var first = e.MoveNextAsync().AsTask();

        // While item 0 is stuck, the run may read at most the window (plus one batch per worker) ahead. What comes first:
        // the window's items run (not only read), and then two of the run's own progress ticks (~0.2 s on a quiet
        // machine), not a fixed 200 ms, in which a run that read on past its bound would have read more.
        await WaitUntilAsync(() => Volatile.Read(ref finished) >= Capacity - 1);
        await ticks.WaitForMoreAsync(2, first);
        Assert.InRange(Volatile.Read(ref produced), Capacity, Capacity + 8 + 1);

        release.SetResult();
        Assert.True(await first);
        Assert.Equal(0, e.Current.Index);
        for (var i = 1; i < 100; i++)
        {
            Assert.True(await e.MoveNextAsync());
            Assert.Equal(i, e.Current.Index);
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task StreamAsync_AllowSynchronousContinuations_WaitingReaderRunsOnTheDeliveringWorker(bool ordered, bool inlineReader)
    {
        // The reader waits for item 0 before its gate opens; the worker that finishes it is a dedicated thread. With
        // the option, that worker continues the reader's loop itself; without it, another thread is woken for it.
        var gate = new ManualResetEventSlim();
        var workerThread = 0;
        var options = new RunOptions { Engine = Engine.Threads, PreserveOrder = ordered, MaxDegreeOfParallelism = 1, BatchSize = 1, AllowSynchronousContinuations = inlineReader };
        var stream = Runner.StreamAsync([0, 1], x =>
        {
            if (x == 0)
            {
                Volatile.Write(ref workerThread, Environment.CurrentManagedThreadId);
                gate.Wait(TimeSpan.FromSeconds(20));
            }

            return x;
        }, options);

        await using var e = stream.GetAsyncEnumerator();
        var first = e.MoveNextAsync();
        Assert.False(first.IsCompleted);
        gate.Set();
        var (more, readerThread) = await ResumedOnAsync(first);
        Assert.True(more);
        Assert.Equal(0, e.Current.Index);
        Assert.Equal(inlineReader, readerThread == Volatile.Read(ref workerThread));
        Assert.True(await e.MoveNextAsync());
        Assert.Equal(1, e.Current.Index);
        Assert.False(await e.MoveNextAsync());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("threadpool")]
    [InlineData("async")]
    [InlineData("auto")]
    public async Task StreamAsync_PreserveOrder_InlineReaderThrowsWhileItemsRun_TheRunEnds(string engine)
    {
        // brigade run's broken pipe: the reader runs on the worker that delivers (inside the ordered sink's delivery), its
        // write fails, and leaving the loop aborts the run there; the abort cancels an item still running, whose batch is
        // recorded as not run on that same thread. That record waited for the delivery the thread itself was in: the
        // run never ended (and neither did brigade).
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readerWaits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Cancelled as brigade's commands are (Task.WaitAsync): the item ends on the thread that cancels.
        var neverDone = new TaskCompletionSource();
        var options = new RunOptions { Engine = EngineNamed(engine), PreserveOrder = true, MaxDegreeOfParallelism = 2, BatchSize = 1, AllowSynchronousContinuations = true };
        var stream = Runner.StreamAsync([0, 1], async (x, ct) =>
        {
            if (x == 1)
            {
                secondStarted.TrySetResult();
                await neverDone.Task.WaitAsync(ct).ConfigureAwait(false);
            }

            await secondStarted.Task.ConfigureAwait(false);
            await readerWaits.Task.ConfigureAwait(false);
            return x;
        }, options);

        var read = Task.Run(async () =>
        {
            await using var e = stream.GetAsyncEnumerator();
            var first = e.MoveNextAsync();
            readerWaits.TrySetResult();
            Assert.True(await first.ConfigureAwait(false));
            throw new IOException("Broken pipe");
        });

        var error = await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("Broken pipe", error.Message);
    }

    // The thread the awaited step resumed on, whatever the test's synchronization context.
    private static async Task<(bool More, int Thread)> ResumedOnAsync(ValueTask<bool> next)
    {
        var more = await next.ConfigureAwait(false);
        return (more, Environment.CurrentManagedThreadId);
    }

    [Fact(Timeout = 30_000)]
    public async Task StreamAsync_PreserveOrder_StopOnFirstFailure_DeliversFinishedItemsInOrder_AndEnds()
    {
        var options = new RunOptions { Engine = Engine.ThreadPool, PreserveOrder = true, FailureMode = FailureMode.StopOnFirstFailure, BatchSize = 1, MaxDegreeOfParallelism = 2 };
        var results = new List<ItemResult<int>>();
        var stream = Runner.StreamAsync(Enumerable.Range(0, 1000).ToArray(), x => x == 10 ? throw new InvalidOperationException("ten") : x, options);
        await foreach (var r in stream)
        {
            results.Add(r);
        }

        Assert.Equal(results.Select(r => r.Index).Order(), results.Select(r => r.Index));
        var failure = Assert.Single(results, r => !r.IsSuccess);
        Assert.Equal(10, failure.Index);
        Assert.True(stream.Report!.StoppedOnFailure);
        Assert.Equal(1000, stream.Report.Items);
        Assert.Equal(1000, stream.Report.Succeeded + stream.Report.Failed + stream.Report.NotRun);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(3, true)]
    public async Task StreamAsync_PreserveOrder_EngineThatTakesTheNextBatchBeforeDeliveringThisOne_Finishes(int workers, bool inlineReader)
    {
        // Worker processes (and any engine that pipelines) take the next batch while the current one still runs.
        // When the reorder buffer is full, the worker holding the oldest undelivered item must not be the one kept
        // waiting: regression, the stream stalled for good at the first full window.
        var items = Enumerable.Range(0, 5_000).ToArray();
        var options = new RunOptions { Engine = new PipeliningEngine(), PreserveOrder = true, StreamCapacity = 4, BatchSize = 4, MaxDegreeOfParallelism = workers, AllowSynchronousContinuations = inlineReader };

        long next = 0;
        await foreach (var r in Runner.StreamAsync(items, x => x * 3, options))
        {
            Assert.Equal(next++, r.Index);
            Assert.Equal(r.Index * 3, r.Value);
        }

        Assert.Equal(items.Length, next);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamAsync_PreserveOrder_SlowOldestItem_BoundsResultsHeld(bool inlineReader)
    {
        // While item 0 is stuck, other workers keep finishing items: what is held waiting for it stays bounded
        // (the buffer, plus one batch per worker and what runs), instead of growing with the input.
        const int Capacity = 32;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var finished = 0;
        var ticks = new ProgressTicks();
        var options = new RunOptions { Engine = Engine.Threads, PreserveOrder = true, StreamCapacity = Capacity, MaxDegreeOfParallelism = 4, BatchSize = 2, AllowSynchronousContinuations = inlineReader, Progress = ticks };
        var stream = Runner.StreamAsync(Enumerable.Range(0, 100_000), x =>
        {
            Interlocked.Increment(ref started);
            if (x == 0)
            {
                release.Task.Wait(TimeSpan.FromSeconds(20));
            }

            Interlocked.Increment(ref finished);
            return x;
        }, options);

        await using var e = stream.GetAsyncEnumerator();
        var first = e.MoveNextAsync().AsTask();

        // What comes first: the window's items finish (not only start), then two of the run's own progress ticks, not a
        // fixed 200 ms, in which workers that kept taking items past the bound would have started more.
        await WaitUntilAsync(() => Volatile.Read(ref finished) >= Capacity - 1);
        await ticks.WaitForMoreAsync(2, first);
        Assert.InRange(Volatile.Read(ref started), Capacity, Capacity + (4 * 2) + 2);

        release.SetResult();
        Assert.True(await first);
        for (var i = 1; i < 1_000; i++)
        {
            Assert.True(await e.MoveNextAsync());
            Assert.Equal(i, e.Current.Index);
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task StreamAsync_PreserveOrder_ReaderLeavesWithTheBufferFull_BehindAnItemThatNeverFinishes_TheRunEnds(bool cancel, bool inlineReader)
    {
        // The reader stops with the stream's buffer full, while the oldest outstanding item still runs and finished
        // results wait behind it. Leaving (or cancelling) ends that item as not run; the results behind it must not be
        // pushed into a buffer nobody reads any more: the run waited for room for good, and so did the reader's
        // DisposeAsync, which waits for the run.
        const int Capacity = 4;
        using var cts = new CancellationTokenSource();
        var finished = 0;
        var options = new RunOptions { Engine = Engine.Threads, PreserveOrder = true, StreamCapacity = Capacity, MaxDegreeOfParallelism = 2, BatchSize = 1, AllowSynchronousContinuations = inlineReader };
        var stream = Runner.StreamAsync(Enumerable.Range(0, 1_000), async (x, ct) =>
        {
            if (x == Capacity + 1)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            Interlocked.Increment(ref finished);
            return x;
        }, options);

        var e = stream.GetAsyncEnumerator(cts.Token);
        Assert.True(await e.MoveNextAsync());
        Assert.Equal(0, e.Current.Index);

        // Items 1-4 fill the buffer, 5 never finishes, 6-9 wait behind it.
        await WaitUntilAsync(() => Volatile.Read(ref finished) >= (2 * Capacity) + 1);
        if (cancel)
        {
            await cts.CancelAsync();
        }

        var left = e.DisposeAsync().AsTask();
        Assert.Same(left, await Task.WhenAny(left, Task.Delay(TimeSpan.FromSeconds(10))));
        await left;
        Assert.NotNull(stream.Report);
        Assert.True(stream.Report.NotRun > 0, $"{stream.Report.NotRun} items not run");
    }

    [Fact(Timeout = 30_000)]
    public async Task StreamAsync_PreserveOrder_GapRequeuedWhileEveryWorkerWaitsToDeliver_Finishes()
    {
        // Like a cluster losing the silo that ran the oldest batch: the batch goes back to a queue that a worker only
        // serves when it comes back for work, and the only worker left is waiting to deliver behind that very gap.
        var items = Enumerable.Range(0, 200).ToArray();
        var options = new RunOptions { Engine = new RequeueingEngine(), PreserveOrder = true, StreamCapacity = 4, BatchSize = 4, MaxDegreeOfParallelism = 2 };

        long next = 0;
        await foreach (var r in Runner.StreamAsync(items, x => x + 1, options))
        {
            Assert.Equal(next++, r.Index);
            Assert.Equal(r.Index + 1, r.Value);
        }

        Assert.Equal(items.Length, next);
    }

    /// <summary>Worker A takes the first batch and "loses its silo" once B waits to deliver; B serves the retry queue between batches.</summary>
    private sealed class RequeueingEngine : Engine
    {
        public override string Name => "requeueing";

        public override int GetDefaultDegreeOfParallelism() => 2;

        protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            var retries = new System.Collections.Concurrent.ConcurrentQueue<ItemBatch<TIn>>();
            var lost = Task.Factory.StartNew(() =>
            {
                var a = job.CreateWorker(TimeSpan.FromMilliseconds(1), "silo A");
                var first = job.TakeBatch(a, 4);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (job.Completed < 8 && clock.Elapsed < TimeSpan.FromSeconds(10))
                {
                    Thread.Sleep(5);
                }

                Thread.Sleep(100);
                retries.Enqueue(first);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            var serving = Task.Factory.StartNew(() =>
            {
                var b = job.CreateWorker(TimeSpan.FromMilliseconds(1), "silo B");
                while (true)
                {
                    if (retries.TryDequeue(out var retry))
                    {
                        job.ExecuteBatch(b, retry);
                        continue;
                    }

                    var batch = job.TakeBatch(b, 4);
                    if (!batch.IsEmpty)
                    {
                        job.ExecuteBatch(b, batch);
                    }
                    else if (lost.IsCompleted && retries.IsEmpty)
                    {
                        return;
                    }
                    else
                    {
                        Thread.Sleep(5);
                    }
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return Task.WhenAll(lost, serving);
        }
    }

    /// <summary>An engine whose workers keep two batches: it takes the next one before running and delivering the first.</summary>
    private sealed class PipeliningEngine : Engine
    {
        public override string Name => "pipelining";

        public override int GetDefaultDegreeOfParallelism() => 2;

        protected internal override Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job) =>
            Task.WhenAll(Enumerable.Range(0, job.DegreeOfParallelism).Select(id => Task.Factory.StartNew(() =>
            {
                var worker = job.CreateWorker(TimeSpan.FromMilliseconds(1), $"pipeline {id}");
                var held = new Queue<ItemBatch<TIn>>();
                while (true)
                {
                    while (held.Count < 2)
                    {
                        var batch = job.TakeBatch(worker, 4);
                        if (batch.IsEmpty)
                        {
                            break;
                        }

                        held.Enqueue(batch);
                    }

                    if (!held.TryDequeue(out var next))
                    {
                        return;
                    }

                    job.ExecuteBatch(worker, next);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
    }

    private static async IAsyncEnumerable<int> Endless(Func<int> onProduce, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            onProduce();
            yield return i;
            await Task.Yield();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
