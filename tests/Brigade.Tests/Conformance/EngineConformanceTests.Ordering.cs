using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Conformance;

// Results in input order, every item exactly once, map-reduce equal to the sequential fold.
public abstract partial class EngineConformanceTests
{
    [Theory]
    [MemberData(nameof(ShapesWorkAndBatch))]
    public async Task MapAsync_AnyInput_ResultsInInputOrder(InputShape shape, bool asyncWork, int batchSize)
    {
        var items = Range(1000);

        var result = await MapAsync(shape, items, asyncWork, Transform, Options(batchSize: batchSize)).Bounded();

        Assert.True(result.IsSuccess);
        Assert.Equal(items.Select(Transform), result.Values);
        Assert.Equal(items.Length, result.Count);
        for (var i = 0; i < items.Length; i++)
        {
            Assert.Equal(i, result[i].Index);
            Assert.Equal(ItemStatus.Succeeded, result[i].Status);
        }

        Assert.Equal(Engine.Name, result.Report.Engine);
        Assert.Equal(items.Length, result.Report.Succeeded);
    }

    [Theory]
    [MemberData(nameof(ShapesAndWork))]
    public async Task MapAsync_EmptyInput_SucceedsWithNoResults(InputShape shape, bool asyncWork)
    {
        var calls = 0;

        var result = await MapAsync(shape, [], asyncWork, x => Interlocked.Increment(ref calls), Options()).Bounded();

        Assert.True(result.IsSuccess);
        Assert.Empty(result.Values);
        Assert.Empty(result);
        Assert.Equal(0, calls);
        Assert.Equal(0, result.Report.Items);
        Assert.Equal(0, result.Report.Batches);
        Assert.Empty(result.Report.Timeline);
    }

    [Fact]
    public async Task MapAsync_WidthNotSet_UsesEngineDefaultCappedByItemCount()
    {
        var items = Range(10);

        var result = await Runner.MapAsync(items, Transform, new RunOptions { Engine = Engine }).Bounded();

        var expected = IsSingleWorker ? 1 : Math.Min(Engine.GetDefaultDegreeOfParallelism(), items.Length);
        Assert.Equal(expected, result.Report.DegreeOfParallelism);
        Assert.Equal(items.Select(Transform), result.Values);
    }

    [Theory]
    [MemberData(nameof(ShapesAndWork))]
    public async Task StreamAsync_AnyInput_YieldsEveryItemExactlyOnce(InputShape shape, bool asyncWork)
    {
        var items = Range(1000);
        var stream = StreamAsync(shape, items, asyncWork, Transform, Options());

        var results = await ReadAllAsync(stream).Bounded();

        Assert.Equal(items.Select(i => (long)i), results.Select(r => r.Index).Order());
        Assert.All(results, r =>
        {
            Assert.True(r.IsSuccess);
            Assert.Equal(Transform((int)r.Index), r.Value);
        });
        Assert.NotNull(stream.Report);
        Assert.Equal(items.Length, stream.Report.Succeeded);
    }

    [Theory]
    [MemberData(nameof(ShapesAndWork))]
    public async Task StreamAsync_EmptyInput_EndsWithReport(InputShape shape, bool asyncWork)
    {
        var stream = StreamAsync(shape, [], asyncWork, Transform, Options());

        var results = await ReadAllAsync(stream).Bounded();

        Assert.Empty(results);
        Assert.NotNull(stream.Report);
        Assert.Equal(0, stream.Report.Items);
    }

    [Theory]
    [MemberData(nameof(ShapesAndWork))]
    public async Task ForEachAsync_AnyInput_RunsEveryItemExactlyOnce(InputShape shape, bool asyncWork)
    {
        var items = Range(1000);
        var runs = new int[items.Length];

        var report = await ForEachAsync(shape, items, asyncWork, x => Interlocked.Increment(ref runs[x]), Options()).Bounded();

        Assert.All(runs, count => Assert.Equal(1, count));
        Assert.True(report.IsSuccess);
        Assert.Equal(items.Length, report.Items);
        Assert.Equal(items.Length, report.Succeeded);
    }

    [Theory]
    [MemberData(nameof(ShapesAndWork))]
    public async Task ForEachAsync_EmptyInput_RunsNothing(InputShape shape, bool asyncWork)
    {
        var calls = 0;

        var report = await ForEachAsync(shape, [], asyncWork, _ => Interlocked.Increment(ref calls), Options()).Bounded();

        Assert.Equal(0, calls);
        Assert.True(report.IsSuccess);
        Assert.Equal(0, report.Items);
    }

    [Theory]
    [MemberData(nameof(ShapesWorkAndBatch))]
    public async Task MapReduceAsync_NonCommutativeCombiner_EqualsSequentialLeftFold(InputShape shape, bool asyncWork, int batchSize)
    {
        // Joining is associative but not commutative: any reordering of items or partial results shows in the string.
        var items = Range(500);
        static string Join(string a, string b) => a + "," + b;
        var expected = items.Select(i => i.ToString()).Aggregate(Join);

        var result = await MapReduceAsync(shape, items, asyncWork, i => i.ToString(), Join, Options(batchSize: batchSize)).Bounded();

        Assert.True(result.HasValue);
        Assert.Equal(expected, result.Value);
        Assert.Equal(items.Length, result.Report.Succeeded);
    }

    [Theory]
    [MemberData(nameof(ShapesAndWork))]
    public async Task MapReduceAsync_IntegerSum_EqualsSequentialSum(InputShape shape, bool asyncWork)
    {
        var items = Range(1000);
        var expected = items.Sum(i => (long)i * i);

        var result = await MapReduceAsync(shape, items, asyncWork, i => (long)i * i, (a, b) => a + b, Options()).Bounded();

        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [MemberData(nameof(ShapesAndWork))]
    public async Task MapReduceAsync_EmptyInput_HasNoValue(InputShape shape, bool asyncWork)
    {
        var result = await MapReduceAsync(shape, [], asyncWork, i => (long)i, (a, b) => a + b, Options()).Bounded();

        Assert.False(result.HasValue);
        Assert.True(result.IsSuccess);
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }
}
