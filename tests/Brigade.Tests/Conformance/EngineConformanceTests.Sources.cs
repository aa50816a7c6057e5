using System.Collections.Concurrent;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Conformance;

// Inputs that fail, and endless inputs consumed lazily with backpressure.
public abstract partial class EngineConformanceTests
{
    private const int EndlessBatch = 8;
    private const int EndlessStopAfter = 500;

    [Theory]
    [InlineData(false, false, 0)]
    [InlineData(false, false, 5)]
    [InlineData(false, true, 5)]
    [InlineData(true, false, 0)]
    [InlineData(true, false, 5)]
    [InlineData(true, true, 5)]
    public async Task MapAsync_SourceThrows_SourceFailedExceptionAfterRunningEveryItemRead(bool asyncSource, bool asyncWork, int itemsBeforeFailure)
    {
        var error = new InvalidOperationException("the input broke");
        var ran = new ConcurrentBag<int>();
        Func<int, int> work = x =>
        {
            ran.Add(x);
            return x;
        };

        var run = asyncSource
            ? (asyncWork ? Runner.MapAsync(Inputs.ThrowingAfterAsync(itemsBeforeFailure, error), AsAsync(work), Options()) : Runner.MapAsync(Inputs.ThrowingAfterAsync(itemsBeforeFailure, error), work, Options()))
            : (asyncWork ? Runner.MapAsync(Inputs.ThrowingAfter(itemsBeforeFailure, error), AsAsync(work), Options()) : Runner.MapAsync(Inputs.ThrowingAfter(itemsBeforeFailure, error), work, Options()));
        var ex = await Assert.ThrowsAsync<SourceFailedException>(() => run.Bounded());

        Assert.Same(error, ex.InnerException);
        Assert.Equal(itemsBeforeFailure, ex.ItemsRead);
        Assert.Contains($"after {itemsBeforeFailure} items were read", ex.Message, StringComparison.Ordinal);
        Assert.Equal(itemsBeforeFailure, ex.Report.Items);
        Assert.Equal(itemsBeforeFailure, ex.Report.Succeeded);
        Assert.Equal(0, ex.Report.NotRun);
        Assert.Equal(Enumerable.Range(0, itemsBeforeFailure), ran.Order());
        AssertNoWorkerLeft(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamAsync_SourceThrows_YieldsItemsReadThenThrowsSourceFailed(bool asyncSource)
    {
        var error = new InvalidOperationException("the input broke");
        var stream = asyncSource
            ? Runner.StreamAsync(Inputs.ThrowingAfterAsync(5, error), Transform, Options())
            : Runner.StreamAsync(Inputs.ThrowingAfter(5, error), Transform, Options());
        var results = new List<ItemResult<int>>();
        async Task ReadAllAsync()
        {
            await foreach (var r in stream)
            {
                results.Add(r);
            }
        }

        var ex = await Assert.ThrowsAsync<SourceFailedException>(() => ReadAllAsync().Bounded());

        Assert.Same(error, ex.InnerException);
        Assert.Equal(5, ex.ItemsRead);
        Assert.Equal([0L, 1L, 2L, 3L, 4L], results.Select(r => r.Index).Order());
        AssertNoWorkerLeft(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ForEachAsync_EndlessAsyncSource_CancelledAfterN_ProducerStaysBoundedAhead(bool asyncWork)
    {
        // Each worker holds at most one batch, and one more batch may be filling: that is all the producer may run ahead.
        var width = WidthFor(Width);
        var bound = (width + 1) * EndlessBatch;
        var source = new EndlessSource();
        using var cts = new CancellationTokenSource();
        void Work(int item)
        {
            if (source.Complete() == EndlessStopAfter)
            {
                cts.Cancel();
            }
        }

        var options = Options(width, EndlessBatch);
        var run = asyncWork
            ? Runner.ForEachAsync(source.ReadAsync(), (x, _) =>
            {
                Work(x);
                return ValueTask.CompletedTask;
            }, options, cts.Token)
            : Runner.ForEachAsync(source.ReadAsync(), Work, options, cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Bounded());

        Assert.InRange(source.MaxAhead, 1, bound);
        Assert.InRange(source.Completed, EndlessStopAfter, EndlessStopAfter + (width * EndlessBatch));
        Assert.InRange(source.Produced, source.Completed, source.Completed + bound);
        AssertNoWorkerLeft(0);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task StreamAsync_EndlessAsyncSource_ReaderStops_ProducerStaysBoundedAhead(bool asyncWork, bool stopByCancelling)
    {
        const int capacity = 16;
        var width = WidthFor(Width);
        var bound = (width + 1) * EndlessBatch;
        var source = new EndlessSource();
        var options = Options(width, EndlessBatch);
        options.StreamCapacity = capacity;
        Func<int, int> work = x =>
        {
            source.Complete();
            return x;
        };
        var stream = asyncWork ? Runner.StreamAsync(source.ReadAsync(), AsAsync(work), options) : Runner.StreamAsync(source.ReadAsync(), work, options);
        using var cts = new CancellationTokenSource();

        long read = 0;
        long maxAheadOfReader = 0;
        async Task ReadAsync()
        {
            await foreach (var _ in stream.WithCancellation(cts.Token))
            {
                read++;
                maxAheadOfReader = Math.Max(maxAheadOfReader, source.Produced - read);
                if (read == EndlessStopAfter)
                {
                    if (stopByCancelling)
                    {
                        cts.Cancel();
                    }
                    else
                    {
                        break;
                    }
                }
            }
        }

        if (stopByCancelling)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAsync().Bounded());
        }
        else
        {
            await ReadAsync().Bounded();
            Assert.NotNull(stream.Report);
        }

        Assert.True(read >= EndlessStopAfter);
        Assert.InRange(source.MaxAhead, 1, bound);
        Assert.InRange(maxAheadOfReader, 0, capacity + bound);
        AssertNoWorkerLeft(0);
    }
}
