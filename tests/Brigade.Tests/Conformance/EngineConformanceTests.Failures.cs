using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Conformance;

// A failing item loses nothing: its index and exception are kept and every other item still completes,
// unless FailureMode.StopOnFirstFailure says to start nothing more.
public abstract partial class EngineConformanceTests
{
    private static readonly int[] FailingItems = [0, 7, 150, 299];

    private static Dictionary<int, Exception> ErrorsFor(int[] indexes) =>
        indexes.ToDictionary(i => i, i => (Exception)new InvalidOperationException($"item {i} broke"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MapAsync_ItemsThrow_FailuresCarryIndexAndException_OtherItemsComplete(bool asyncWork)
    {
        var items = Range(300);
        var errors = ErrorsFor(FailingItems);

        var result = await MapAsync(InputShape.Array, items, asyncWork, x => errors.TryGetValue(x, out var e) ? throw e : Transform(x), Options(batchSize: 8)).Bounded();

        Assert.False(result.IsSuccess);
        Assert.Equal(FailingItems.Select(i => (long)i), result.Failures.Select(f => f.Index));
        Assert.All(result.Failures, f => Assert.Same(errors[(int)f.Index], f.Exception));
        for (var i = 0; i < items.Length; i++)
        {
            if (errors.TryGetValue(i, out var error))
            {
                Assert.Equal(ItemStatus.Failed, result[i].Status);
                Assert.Same(error, result[i].Exception);
            }
            else
            {
                Assert.Equal(Transform(i), result[i].Value);
            }
        }

        Assert.Equal(FailingItems.Length, result.Report.Failed);
        Assert.Equal(items.Length - FailingItems.Length, result.Report.Succeeded);
        Assert.Equal(0, result.Report.NotRun);
    }

    [Fact]
    public async Task Values_ItemsFailed_ThrowsRunFailedExceptionListingIndexes()
    {
        var errors = ErrorsFor(FailingItems);

        var result = await Runner.MapAsync(Range(300), x => errors.TryGetValue(x, out var e) ? throw e : x, Options()).Bounded();

        var ex = Assert.Throws<RunFailedException>(() => result.Values);
        Assert.Equal(FailingItems.Select(i => (long)i), ex.Failures.Select(f => f.Index));
        Assert.Same(errors[0], ex.InnerException);
        foreach (var index in FailingItems)
        {
            Assert.Contains($"item {index}: InvalidOperationException: item {index} broke", ex.Message, StringComparison.Ordinal);
        }

        Assert.StartsWith("4 of 300 items failed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(-1, result.GetValueOrDefault(7, -1));
        Assert.Equal(8, result.GetValueOrDefault(8, -1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamAsync_ItemsThrow_YieldsEachFailureWithIndexAndEveryOtherResult(bool asyncWork)
    {
        var items = Range(300);
        var errors = ErrorsFor(FailingItems);
        var stream = StreamAsync(InputShape.Array, items, asyncWork, x => errors.TryGetValue(x, out var e) ? throw e : Transform(x), Options());

        var results = await ReadAllAsync(stream).Bounded();

        Assert.Equal(items.Select(i => (long)i), results.Select(r => r.Index).Order());
        var failures = results.Where(r => !r.IsSuccess).OrderBy(r => r.Index).ToList();
        Assert.Equal(FailingItems.Select(i => (long)i), failures.Select(r => r.Index));
        Assert.All(failures, r => Assert.Same(errors[(int)r.Index], r.Exception));
        Assert.Equal(FailingItems.Length, stream.Report!.Failed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ForEachAsync_ItemsThrow_ReportHasEveryFailureAndOthersRan(bool asyncWork)
    {
        var items = Range(300);
        var errors = ErrorsFor(FailingItems);
        var ran = new int[items.Length];

        var report = await ForEachAsync(InputShape.Array, items, asyncWork, x =>
        {
            Interlocked.Increment(ref ran[x]);
            if (errors.TryGetValue(x, out var e))
            {
                throw e;
            }
        }, Options()).Bounded();

        Assert.All(ran, count => Assert.Equal(1, count));
        Assert.Equal(FailingItems.Select(i => (long)i), report.Failures.Select(f => f.Index));
        Assert.Equal(items.Length - FailingItems.Length, report.Succeeded);
        Assert.Throws<RunFailedException>(report.ThrowIfFailed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MapReduceAsync_ItemsThrow_PartialValueFoldsTheOthersInOrder(bool asyncWork)
    {
        var items = Range(300);
        var errors = ErrorsFor(FailingItems);
        static string Join(string a, string b) => a + "," + b;
        var expected = items.Where(i => !errors.ContainsKey(i)).Select(i => i.ToString()).Aggregate(Join);

        var result = await MapReduceAsync(InputShape.Array, items, asyncWork, x => errors.TryGetValue(x, out var e) ? throw e : x.ToString(), Join, Options(batchSize: 8)).Bounded();

        Assert.Equal(expected, result.PartialValue);
        Assert.Equal(FailingItems.Select(i => (long)i), result.Report.Failures.Select(f => f.Index));
        Assert.Throws<RunFailedException>(() => result.Value);
    }

    [Fact]
    public async Task StopOnFirstFailure_AsyncWork_NoItemStartsAfterFailureObserved()
    {
        // The first `width` items run at once; item 0 fails once they are all in. The others wait until the run's
        // token trips (the failure has been observed) and then finish normally: their workers must start nothing new.
        var width = WidthFor(Width);
        var items = Range(1000);
        var started = 0;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopObserved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var error = new InvalidOperationException("item 0 broke");

        var result = await Runner.MapAsync(items, async (x, ct) =>
        {
            using var registration = ct.Register(() => stopObserved.TrySetResult());
            if (Interlocked.Increment(ref started) == width)
            {
                allIn.TrySetResult();
            }

            if (x == 0)
            {
                await allIn.Task.Bounded();
                throw error;
            }

            if (x < width)
            {
                await stopObserved.Task.Bounded();
            }

            return Transform(x);
        }, Options(width, batchSize: 1, FailureMode.StopOnFirstFailure)).Bounded();

        Assert.Equal(width, started);
        var report = result.Report;
        Assert.True(report.StoppedOnFailure);
        Assert.Equal(0, Assert.Single(report.Failures).Index);
        Assert.Same(error, report.Failures[0].Exception);
        Assert.Equal(width - 1, report.Succeeded);
        Assert.Equal(items.Length - width, report.NotRun);
        Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
        for (var i = 1; i < width; i++)
        {
            Assert.Equal(Transform(i), result[i].Value);
        }

        Assert.Equal(ItemStatus.NotRun, result[width].Status);
        var ex = Assert.Throws<RunFailedException>(() => result.Values);
        Assert.Contains("stopped at the first failure", ex.Message, StringComparison.Ordinal);
        AssertNoWorkerLeft(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StopOnFirstFailure_OneWorker_LaterItemsNotRunAndEarlierResultsKept(bool asyncWork)
    {
        var items = Range(1000);
        var started = 0;

        var result = await MapAsync(InputShape.Array, items, asyncWork, x =>
        {
            Interlocked.Increment(ref started);
            return x == 3 ? throw new InvalidOperationException("item 3 broke") : Transform(x);
        }, Options(width: 1, failureMode: FailureMode.StopOnFirstFailure)).Bounded();

        Assert.Equal(4, started);
        Assert.Equal([0L, 1L, 2L], Enumerable.Range(0, 3).Select(i => result[i]).Where(r => r.IsSuccess).Select(r => r.Index));
        Assert.Equal(Transform(2), result[2].Value);
        Assert.Equal(ItemStatus.Failed, result[3].Status);
        Assert.All(Enumerable.Range(4, items.Length - 4), i => Assert.Equal(ItemStatus.NotRun, result[i].Status));
        Assert.Equal(3, result.Report.Succeeded);
        Assert.Equal(1, result.Report.Failed);
        Assert.Equal(items.Length - 4, result.Report.NotRun);
        Assert.True(result.Report.StoppedOnFailure);
    }

    [Fact]
    public async Task StopOnFirstFailure_AsyncItemsCancelledByTheStop_CountAsNotRunNotFailed()
    {
        // Items 1..width-1 wait on the run's token; when item 0 fails, the stop cancels them. They did not finish,
        // so they are not run, not failed: only item 0's failure is reported.
        var width = WidthFor(Width);
        var items = Range(1000);
        var started = 0;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var result = await Runner.MapAsync(items, async (x, ct) =>
        {
            if (Interlocked.Increment(ref started) == width)
            {
                allIn.TrySetResult();
            }

            if (x == 0)
            {
                await allIn.Task.Bounded();
                throw new InvalidOperationException("item 0 broke");
            }

            await Task.Delay(TestTimeouts.Generous, ct);
            return x;
        }, Options(width, batchSize: 1, FailureMode.StopOnFirstFailure)).Bounded();

        Assert.Equal(width, started);
        Assert.Equal(0, Assert.Single(result.Failures).Index);
        Assert.Equal(0, result.Report.Succeeded);
        Assert.Equal(items.Length - 1, result.Report.NotRun);
        Assert.All(Enumerable.Range(1, width - 1), i => Assert.Equal(ItemStatus.NotRun, result[i].Status));
    }

    [Fact]
    public async Task MapReduceAsync_CombinerThrows_FailureChargedToTheItemBeingCombined()
    {
        // With batches of 7, item 13 is combined into its batch's partial result (7..12), where the combiner fails.
        var items = Range(30);
        string Join(string a, string b) => b == "13" ? throw new InvalidOperationException("cannot join 13") : a + "," + b;
        var expected = items.Where(i => i != 13).Select(i => i.ToString()).Aggregate((a, b) => a + "," + b);

        var result = await Runner.MapReduceAsync(items, x => x.ToString(), Join, Options(batchSize: 7)).Bounded();

        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(13, failure.Index);
        Assert.Equal("cannot join 13", failure.Exception.Message);
        Assert.Equal(expected, result.PartialValue);
        Assert.Equal(1, result.Report.Failed);
        Assert.Equal(items.Length - 1, result.Report.Succeeded);
        Assert.Equal(result.Report.Items, result.Report.Succeeded + result.Report.Failed + result.Report.NotRun);
    }
}
