using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Conformance;

// Cancellation stops new items from starting, waits for the running ones, then throws; no worker outlives the call.
public abstract partial class EngineConformanceTests
{
    // With batches of 4, each worker is cancelled in the middle of its batch: the rest of the batch must not start.
    [Theory]
    [InlineData("map", false, 1)]
    [InlineData("map", true, 1)]
    [InlineData("map", false, 4)]
    [InlineData("map", true, 4)]
    [InlineData("foreach", false, 1)]
    [InlineData("foreach", true, 4)]
    [InlineData("mapreduce", false, 4)]
    [InlineData("mapreduce", true, 1)]
    public async Task CancelledMidRun_NoItemStartsAfterCancel_ThrowsOnlyAfterRunningItemsFinish(string operation, bool asyncWork, int batchSize)
    {
        var width = WidthFor(Width);
        var work = new GatedWork(width, stride: batchSize);
        using var cts = new CancellationTokenSource();
        var items = Range(1000);
        var options = Options(width, batchSize);
        Task run = (operation, asyncWork) switch
        {
            ("map", false) => Runner.MapAsync(items, work.Run, options, cts.Token),
            ("map", true) => Runner.MapAsync(items, work.RunAsync, options, cts.Token),
            ("foreach", false) => Runner.ForEachAsync(items, x => work.Run(x), options, cts.Token),
            ("foreach", true) => Runner.ForEachAsync(items, async (x, ct) => await work.RunAsync(x, ct), options, cts.Token),
            ("mapreduce", false) => Runner.MapReduceAsync(items, work.Run, (a, b) => a + b, options, cts.Token),
            _ => Runner.MapReduceAsync(items, work.RunAsync, (a, b) => a + b, options, cts.Token),
        };

        await work.AllIn.Bounded();
        cts.Cancel();
        work.ReleaseOthers();
        await work.OthersFinished.Bounded();

        // Item 0 is still running, so the call must not have returned. (A short look: it cannot fail a correct run.)
        await Task.Delay(50);
        Assert.False(run.IsCompleted);
        work.ReleaseFirst();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Bounded());
        var runningWhenThrown = work.Running;
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(width, work.Started);
        Assert.Equal(width, work.Finished);
        AssertNoWorkerLeft(runningWhenThrown);
    }

    [Fact]
    public async Task MapAsync_TokenAlreadyCancelled_ThrowsWithoutReadingInputOrStartingItems()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var calls = 0;
        var read = false;
        IEnumerable<int> Input()
        {
            read = true;
            yield return 1;
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner.MapAsync(Input(), x => Interlocked.Increment(ref calls), Options(), cts.Token).Bounded());

        Assert.False(read);
        Assert.Equal(0, calls);
        AssertNoWorkerLeft(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamAsync_ReaderBreaksEarly_RunStopsAndNoWorkerOutlivesLoop(bool asyncWork)
    {
        var items = Range(100_000);
        var started = 0;
        var running = 0;
        var options = Options();
        options.StreamCapacity = 8;
        var stream = StreamAsync(InputShape.Array, items, asyncWork, x =>
        {
            Interlocked.Increment(ref started);
            Interlocked.Increment(ref running);
            Thread.SpinWait(50);
            Interlocked.Decrement(ref running);
            return x;
        }, options);

        var read = 0;
        async Task ReadSomeAsync()
        {
            await foreach (var _ in stream)
            {
                if (++read == 20)
                {
                    break;
                }
            }
        }

        await ReadSomeAsync().Bounded();
        var runningAtExit = Volatile.Read(ref running);
        var startedAtExit = Volatile.Read(ref started);

        // The report is set only once the run has completed, that is once every worker has exited.
        var report = stream.Report;
        Assert.NotNull(report);
        AssertNoWorkerLeft(runningAtExit);
        Assert.Equal(startedAtExit, report.Succeeded + report.Failed);
        Assert.True(report.NotRun > 0, "The run should have stopped before the end of the input.");
        Assert.Equal(items.Length, report.Items);
        Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
        await Task.Delay(50);
        Assert.Equal(startedAtExit, Volatile.Read(ref started));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamAsync_ReaderTokenCancelled_ThrowsAndNoWorkerOutlivesLoop(bool asyncWork)
    {
        var running = 0;
        var options = Options();
        options.StreamCapacity = 8;
        var stream = StreamAsync(InputShape.Array, Range(100_000), asyncWork, x =>
        {
            Interlocked.Increment(ref running);
            Thread.SpinWait(50);
            Interlocked.Decrement(ref running);
            return x;
        }, options);
        using var cts = new CancellationTokenSource();

        var read = 0;
        async Task ReadUntilCancelledAsync()
        {
            await foreach (var _ in stream.WithCancellation(cts.Token))
            {
                if (++read == 20)
                {
                    cts.Cancel();
                }
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadUntilCancelledAsync().Bounded());

        AssertNoWorkerLeft(Volatile.Read(ref running));
    }
}
