using Brigade.Testing.Conformance.Work;

namespace Brigade.Testing.Conformance.Cases;

/// <summary>Results in input order, every item exactly once, map-reduce equal to the sequential fold.</summary>
internal static class OrderingCases
{
    private const string Area = "Ordering";

    public static IEnumerable<ConformanceCase> All =>
    [
        new(Area, "Map_AnyInput_ResultsInInputOrder", "Map over every input shape, synchronous and asynchronous work, adaptive and fixed batches: results in input order, each with its index.", MapInOrderAsync),
        new(Area, "Map_EmptyInput_SucceedsWithNoResults", "An empty input of any shape: a successful run with no result, no batch and no timeline.", MapEmptyAsync),
        new(Area, "Map_WidthNotSet_UsesEngineDefaultCappedByItemCount", "Without MaxDegreeOfParallelism the run's width is the engine's default, capped by the item count.", DefaultWidthAsync),
        new(Area, "Stream_AnyInput_YieldsEveryItemExactlyOnce", "A stream over every input shape yields every item exactly once, with its index and its result.", StreamEveryItemAsync),
        new(Area, "Stream_EmptyInput_EndsWithReport", "A stream over an empty input ends at once, with a report.", StreamEmptyAsync),
        new(Area, "ForEach_AnyInput_RunsEveryItemExactlyOnce", "For-each over every input shape runs every item exactly once.", ForEachEveryItemAsync, requires: EngineCapabilities.RunsDelegates),
        new(Area, "ForEach_EmptyInput_RunsNothing", "For-each over an empty input runs nothing and succeeds.", ForEachEmptyAsync, requires: EngineCapabilities.RunsDelegates),
        new(Area, "MapReduce_NonCommutativeCombiner_EqualsSequentialLeftFold", "Map-reduce with an associative, non-commutative combiner equals the sequential left fold, for every shape and batch size.", ReduceInOrderAsync),
        new(Area, "MapReduce_IntegerSum_EqualsSequentialSum", "Map-reduce summing integers equals the sequential sum.", ReduceSumAsync),
        new(Area, "MapReduce_EmptyInput_HasNoValue", "Map-reduce over an empty input succeeds without a value.", ReduceEmptyAsync),
    ];

    private static IEnumerable<(Shape Shape, bool Async)> ShapesAndWork() =>
        Inputs.Shapes.SelectMany(s => new[] { (s, false), (s, true) });

    private static async Task MapInOrderAsync(CaseContext c)
    {
        var items = CaseContext.Items(1000);
        foreach (var (shape, asyncWork) in ShapesAndWork())
        {
            foreach (var batch in new[] { 0, 7 })
            {
                c.Variant = $"{shape}, {(asyncWork ? "async" : "sync")} work, batch {(batch == 0 ? "adaptive" : batch)}";
                var result = await CaseContext.Bounded(CaseContext.MapAsync(shape, items, asyncWork, c.Options(batchSize: batch))).ConfigureAwait(false);
                c.True(result.IsSuccess, $"the run succeeds ({result.Report.Failed} failed, {result.Report.NotRun} not run)");
                c.Sequence(items.Select(i => CaseContext.Result(i.Value)), result.Values, "values in input order");
                c.Equal(items.Length, result.Count, "result count");
                for (var i = 0; i < items.Length; i++)
                {
                    c.Equal((long)i, result[i].Index, "result index");
                    c.Equal(ItemStatus.Succeeded, result[i].Status, $"status of item {i}");
                }

                c.Equal(c.Engine.Name, result.Report.Engine, "report's engine");
                c.Equal((long)items.Length, result.Report.Succeeded, "report's succeeded");
            }
        }
    }

    private static async Task MapEmptyAsync(CaseContext c)
    {
        foreach (var (shape, asyncWork) in ShapesAndWork())
        {
            c.Variant = $"{shape}, {(asyncWork ? "async" : "sync")} work";
            var result = await CaseContext.Bounded(CaseContext.MapAsync(shape, [], asyncWork, c.Options())).ConfigureAwait(false);
            c.True(result.IsSuccess, "an empty run succeeds");
            c.Equal(0, result.Values.Count, "values");
            c.Equal(0L, result.Report.Items, "report's items");
            c.Equal(0L, result.Report.Batches, "report's batches");
            c.Equal(0, result.Report.Timeline.Count, "timeline events");
        }
    }

    private static async Task DefaultWidthAsync(CaseContext c)
    {
        var items = CaseContext.Items(10);
        var result = await CaseContext.Bounded(Runner.MapAsync(items, new Transform(), new RunOptions { Engine = c.Engine })).ConfigureAwait(false);
        var expected = c.IsSingleWorker ? 1 : Math.Min(c.Engine.GetDefaultDegreeOfParallelism(), items.Length);
        if (c.AdaptsWidth)
        {
            c.InRange(result.Report.DegreeOfParallelism, 1, expected, "the width the engine chose");
        }
        else
        {
            c.Equal(expected, result.Report.DegreeOfParallelism, "the run's width");
        }

        c.Sequence(items.Select(i => CaseContext.Result(i.Value)), result.Values, "values in input order");
    }

    private static async Task StreamEveryItemAsync(CaseContext c)
    {
        var items = CaseContext.Items(1000);
        foreach (var (shape, asyncWork) in ShapesAndWork())
        {
            c.Variant = $"{shape}, {(asyncWork ? "async" : "sync")} work";
            var stream = CaseContext.StreamAsync(shape, items, asyncWork, c.Options());
            var results = await CaseContext.Bounded(CaseContext.ReadAllAsync(stream)).ConfigureAwait(false);
            c.Sequence(items.Select(i => (long)i.Value), results.Select(r => r.Index).Order(), "every index exactly once");
            foreach (var r in results)
            {
                c.True(r.IsSuccess, $"item {r.Index} succeeds");
                c.Equal(CaseContext.Result((int)r.Index), r.Value, $"result of item {r.Index}");
            }

            c.True(stream.Report is not null, "the stream has a report once read to the end");
            c.Equal((long)items.Length, stream.Report!.Succeeded, "report's succeeded");
        }
    }

    private static async Task StreamEmptyAsync(CaseContext c)
    {
        foreach (var (shape, asyncWork) in ShapesAndWork())
        {
            c.Variant = $"{shape}, {(asyncWork ? "async" : "sync")} work";
            var stream = CaseContext.StreamAsync(shape, [], asyncWork, c.Options());
            var results = await CaseContext.Bounded(CaseContext.ReadAllAsync(stream)).ConfigureAwait(false);
            c.Equal(0, results.Count, "results");
            c.True(stream.Report is not null, "the stream has a report");
            c.Equal(0L, stream.Report!.Items, "report's items");
        }
    }

    private static async Task ForEachEveryItemAsync(CaseContext c)
    {
        var items = CaseContext.Items(1000);
        foreach (var (shape, asyncWork) in ShapesAndWork())
        {
            c.Variant = $"{shape}, {(asyncWork ? "async" : "sync")} work";
            var runs = new int[items.Length];
            var report = await CaseContext.Bounded(CaseContext.ForEachAsync(shape, items, asyncWork, x => Interlocked.Increment(ref runs[x.Value]), c.Options())).ConfigureAwait(false);
            c.True(runs.All(n => n == 1), $"every item ran exactly once (ran {runs.Count(n => n == 0)} never, {runs.Count(n => n > 1)} more than once)");
            c.True(report.IsSuccess, "the run succeeds");
            c.Equal((long)items.Length, report.Items, "report's items");
            c.Equal((long)items.Length, report.Succeeded, "report's succeeded");
        }
    }

    private static async Task ForEachEmptyAsync(CaseContext c)
    {
        foreach (var (shape, asyncWork) in ShapesAndWork())
        {
            c.Variant = $"{shape}, {(asyncWork ? "async" : "sync")} work";
            var calls = 0;
            var report = await CaseContext.Bounded(CaseContext.ForEachAsync(shape, [], asyncWork, _ => Interlocked.Increment(ref calls), c.Options())).ConfigureAwait(false);
            c.Equal(0, calls, "calls");
            c.True(report.IsSuccess, "the run succeeds");
            c.Equal(0L, report.Items, "report's items");
        }
    }

    private static async Task ReduceInOrderAsync(CaseContext c)
    {
        // Joining is associative but not commutative: any reordering of items or partial results shows in the string.
        var items = CaseContext.Items(500);
        static string Join(string a, string b) => a + "," + b;
        var expected = string.Join(',', items.Select(i => i.Value));
        foreach (var (shape, asyncWork) in ShapesAndWork())
        {
            foreach (var batch in new[] { 0, 7 })
            {
                c.Variant = $"{shape}, {(asyncWork ? "async" : "sync")} work, batch {(batch == 0 ? "adaptive" : batch)}";
                var result = await CaseContext.Bounded(CaseContext.MapReduceTextAsync(shape, items, asyncWork, Join, c.Options(batchSize: batch))).ConfigureAwait(false);
                c.True(result.HasValue, "the run has a value");
                c.Equal(expected, result.Value, "the fold");
                c.Equal((long)items.Length, result.Report.Succeeded, "report's succeeded");
            }
        }
    }

    private static async Task ReduceSumAsync(CaseContext c)
    {
        var items = CaseContext.Items(1000);
        var expected = items.Sum(i => CaseContext.Result(i.Value));
        foreach (var (shape, asyncWork) in ShapesAndWork())
        {
            c.Variant = $"{shape}, {(asyncWork ? "async" : "sync")} work";
            var result = await CaseContext.Bounded(CaseContext.MapReduceSumAsync(shape, items, asyncWork, c.Options())).ConfigureAwait(false);
            c.Equal(expected, result.Value, "the sum");
        }
    }

    private static async Task ReduceEmptyAsync(CaseContext c)
    {
        foreach (var (shape, asyncWork) in ShapesAndWork())
        {
            c.Variant = $"{shape}, {(asyncWork ? "async" : "sync")} work";
            var result = await CaseContext.Bounded(CaseContext.MapReduceSumAsync(shape, [], asyncWork, c.Options())).ConfigureAwait(false);
            c.True(!result.HasValue, "no value");
            c.True(result.IsSuccess, "the run succeeds");
            Check.Throws<InvalidOperationException>(() => _ = result.Value, c.Where("reading the missing value"));
        }
    }
}
