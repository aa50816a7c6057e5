using System.Runtime.CompilerServices;
using Brigade.Testing.Conformance.Work;

namespace Brigade.Testing.Conformance.Cases;

/// <summary>Inputs that fail, and endless inputs consumed lazily with backpressure.</summary>
internal static class SourceCases
{
    private const string Area = "Sources";
    private const int EndlessBatch = 8;
    private const int EndlessStopAfter = 500;
    private const int StreamCapacity = 16;

    public static IEnumerable<ConformanceCase> All =>
    [
        new(Area, "Map_SourceThrows_SourceFailedExceptionAfterRunningEveryItemRead", "An input that throws: every item read before runs, then the run fails with SourceFailedException carrying the input's error.", SourceThrowsAsync),
        new(Area, "Stream_SourceThrows_YieldsItemsReadThenThrowsSourceFailed", "A stream over an input that throws yields the items read, then throws SourceFailedException.", StreamSourceThrowsAsync),
        new(Area, "Stream_EndlessSource_ReaderLeaves_InputReadBoundedAhead", "A stream over an endless input whose reader leaves after 500 results: the input was read only a bounded distance ahead (memory stays bounded), and the run ends.", EndlessStreamAsync),
        new(Area, "ForEach_EndlessAsyncSource_CancelledAfterN_ProducerStaysBoundedAhead", "For-each over an endless asynchronous input, cancelled after 500 items: the producer never ran more than one batch per worker (plus one) ahead.", EndlessForEachAsync, requires: EngineCapabilities.RunsDelegates | EngineCapabilities.InProcess),
    ];

    private static async Task SourceThrowsAsync(CaseContext c)
    {
        foreach (var (asyncSource, asyncWork, before) in new[] { (false, false, 0), (false, false, 5), (false, true, 5), (true, false, 0), (true, false, 5), (true, true, 5) })
        {
            c.Variant = $"{(asyncSource ? "async" : "sync")} input, {(asyncWork ? "async" : "sync")} work, {before} items before the error";
            using var gate = c.NewGate();
            var error = new InvalidOperationException("the input broke");
            var items = CaseContext.Items(before, i => i with { Gate = gate.Key });
            var options = c.Options();
            Task<RunResult<int>> Run() => asyncSource
                ? (asyncWork ? Runner.MapAsync(Inputs.ThrowingAfterAsync(items, error), new TransformAsync(), options) : Runner.MapAsync(Inputs.ThrowingAfterAsync(items, error), new Transform(), options))
                : (asyncWork ? Runner.MapAsync(Inputs.ThrowingAfter(items, error), new TransformAsync(), options) : Runner.MapAsync(Inputs.ThrowingAfter(items, error), new Transform(), options));
            var ex = await c.ThrowsAsync<SourceFailedException>(Run, "the run").ConfigureAwait(false);
            c.True(ReferenceEquals(error, ex.InnerException), "the inner exception is the input's error");
            c.Equal((long)before, ex.ItemsRead, "items read");
            Check.Contains(ex.Message, $"after {before} items were read", c.Where("the message"));
            c.Equal((long)before, ex.Report.Items, "report's items");
            c.Equal((long)before, ex.Report.Succeeded, "report's succeeded");
            c.Equal(0L, ex.Report.NotRun, "report's not run");
            c.Sequence(Enumerable.Range(0, before), gate.StartedValues.Order(), "the items that ran");
            c.NoWorkerLeft(gate);
        }
    }

    private static async Task StreamSourceThrowsAsync(CaseContext c)
    {
        foreach (var asyncSource in new[] { false, true })
        {
            c.Variant = asyncSource ? "async input" : "sync input";
            var error = new InvalidOperationException("the input broke");
            var items = CaseContext.Items(5);
            var stream = asyncSource
                ? Runner.StreamAsync(Inputs.ThrowingAfterAsync(items, error), new Transform(), c.Options())
                : Runner.StreamAsync(Inputs.ThrowingAfter(items, error), new Transform(), c.Options());
            var results = new List<ItemResult<int>>();
            async Task ReadAllAsync()
            {
                await foreach (var r in stream.ConfigureAwait(false))
                {
                    results.Add(r);
                }
            }

            var ex = await c.ThrowsAsync<SourceFailedException>(ReadAllAsync, "reading the stream").ConfigureAwait(false);
            c.True(ReferenceEquals(error, ex.InnerException), "the inner exception is the input's error");
            c.Equal(5L, ex.ItemsRead, "items read");
            c.Sequence([0L, 1L, 2L, 3L, 4L], results.Select(r => r.Index).Order(), "the results yielded");
            c.NoWorkerLeft();
        }
    }

    private static async Task EndlessStreamAsync(CaseContext c)
    {
        // What may be read ahead of the reader: the stream's buffer, and per worker the batch it runs and one queued
        // (engines that keep a worker's pipeline full), plus one batch being taken.
        var bound = EndlessStopAfter + StreamCapacity + (((2 * c.Width) + 1) * EndlessBatch);
        foreach (var asyncSource in new[] { false, true })
        {
            foreach (var asyncWork in new[] { false, true })
            {
                c.Variant = $"{(asyncSource ? "async" : "sync")} endless input, {(asyncWork ? "async" : "sync")} work";
                var counted = new StrongBox<long>();
                var options = c.Options(batchSize: EndlessBatch);
                options.StreamCapacity = StreamCapacity;
                static ConformanceItem Make(int i) => new(i);
                var stream = asyncSource
                    ? (asyncWork ? Runner.StreamAsync(Inputs.EndlessAsync(Make, counted), new TransformAsync(), options) : Runner.StreamAsync(Inputs.EndlessAsync(Make, counted), new Transform(), options))
                    : (asyncWork ? Runner.StreamAsync(Inputs.Endless(Make, counted), new TransformAsync(), options) : Runner.StreamAsync(Inputs.Endless(Make, counted), new Transform(), options));
                long read = 0;
                long maxAhead = 0;
                async Task ReadAsync()
                {
                    await foreach (var _ in stream.ConfigureAwait(false))
                    {
                        maxAhead = Math.Max(maxAhead, Interlocked.Read(ref counted.Value) - ++read);
                        if (read == EndlessStopAfter)
                        {
                            break;
                        }
                    }
                }

                await CaseContext.Bounded(ReadAsync()).ConfigureAwait(false);
                c.True(stream.Report is not null, "the run ended when the reader left");
                c.InRange(stream.Report!.Items, (long)EndlessStopAfter, (long)bound, "items read from the endless input");
                c.InRange(maxAhead, 0L, (long)(bound - EndlessStopAfter), "the most items read ahead of the reader");
                c.NoWorkerLeft();
            }
        }
    }

    private static async Task EndlessForEachAsync(CaseContext c)
    {
        // Each worker holds at most one batch, and one more batch may be filling: that is all the producer may run ahead.
        var width = c.Width;
        var bound = (width + 1) * EndlessBatch;
        foreach (var asyncWork in new[] { false, true })
        {
            c.Variant = asyncWork ? "async work" : "sync work";
            var source = new EndlessSource();
            using var cts = new CancellationTokenSource();
            long completedAtCancel = -1;
            void Work(int item)
            {
                if (source.Complete() == EndlessStopAfter)
                {
                    cts.Cancel();

                    // The items done once the cancel is in: the bound below counts from here, not from the 500th item, since
                    // the other workers rightly go on while this thread is between its count and the cancel (a thread
                    // preempted there on a loaded machine let them run 1,171 more items in a CI run; none started late).
                    Volatile.Write(ref completedAtCancel, source.Completed);
                }
            }

            var options = c.Options(width, EndlessBatch);
            Task run = asyncWork
                ? Runner.ForEachAsync(source.ReadAsync(), (x, _) =>
                {
                    Work(x);
                    return ValueTask.CompletedTask;
                }, options, cts.Token)
                : Runner.ForEachAsync(source.ReadAsync(), Work, options, cts.Token);

            await c.ThrowsAsync<OperationCanceledException>(() => run, "the cancelled run").ConfigureAwait(false);
            c.InRange(source.MaxAhead, 1L, (long)bound, "the most items produced ahead of the work");
            // After the cancel, each worker may finish the batch it had begun (an engine running its own item loop may check
            // the token between batches), as before; counted from the items done once the cancel was in.
            var atCancel = Volatile.Read(ref completedAtCancel);
            c.True(atCancel >= EndlessStopAfter, "the cancel was made");
            c.InRange(source.Completed, atCancel, atCancel + (width * EndlessBatch), "items completed (from those done when the cancel was made)");
            c.InRange(source.Produced, source.Completed, source.Completed + bound, "items produced");
            c.NoWorkerLeft();
        }
    }

    /// <summary>An endless asynchronous input that measures how far the producer ever gets ahead of the work.</summary>
    private sealed class EndlessSource
    {
        private long _produced;
        private long _completed;
        private long _maxAhead;

        public long Produced => Volatile.Read(ref _produced);

        public long Completed => Volatile.Read(ref _completed);

        public long MaxAhead => Volatile.Read(ref _maxAhead);

        public long Complete() => Interlocked.Increment(ref _completed);

        public async IAsyncEnumerable<int> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; ; i++)
            {
                var ahead = Interlocked.Increment(ref _produced) - Volatile.Read(ref _completed);
                long max;
                while (ahead > (max = Volatile.Read(ref _maxAhead)) && Interlocked.CompareExchange(ref _maxAhead, ahead, max) != max)
                {
                }

                if (i % 5 == 4)
                {
                    await Task.Yield();
                }

                yield return i;
            }
        }
    }
}
