using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review61;

/// <summary>
/// A map whose run ends by an exception keeps the results it computed: <c>PartialResult</c> on the exception is the
/// <see cref="RunResult{T}"/> (map) or <see cref="ReduceResult{T}"/> (map-reduce) of the items that ran, as
/// <see cref="ReduceResult{T}.PartialValue"/> keeps a partial combination. Before lib61 an <see cref="IAsyncEnumerable{T}"/>
/// source that threw midway gave <see cref="SourceFailedException"/> with the report only, and the computed values were
/// lost (a stream's reader had them; a map's caller did not); a cancelled map lost them the same way.
/// </summary>
public sealed class PartialResultTests
{
    public static TheoryData<string> Engines => ["sequential", "threadpool", "threads", "async", "auto"];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task MapAsync_AsyncSourceThrowsMidway_ExceptionCarriesEveryComputedResult(string engine)
    {
        var error = new IOException("disk gone at line 6");

        var e = await Assert.ThrowsAsync<SourceFailedException>(() =>
            Runner.MapAsync(Inputs.ThrowingAfterAsync(6, error), x => x * 10, new RunOptions { Engine = EngineNamed(engine) }).Bounded());

        Assert.Same(error, e.InnerException);
        var partial = Assert.IsType<RunResult<int>>(e.PartialResult);
        Assert.Same(e.Report, partial.Report);
        Assert.Equal(6, partial.Count);
        Assert.Equal([0, 10, 20, 30, 40, 50], partial.Select(r => r.Value));
        Assert.All(partial, r => Assert.True(r.IsSuccess));
    }

    [Fact]
    public async Task MapAsync_SourceThrowsAfterAFailedItem_PartialResultHasTheValuesAndTheFailureByIndex()
    {
        var e = await Assert.ThrowsAsync<SourceFailedException>(() =>
            Runner.MapAsync(Inputs.ThrowingAfter(4, new InvalidOperationException("bad input")), x => x == 2 ? throw new FormatException("item two") : x,
                new RunOptions { Engine = Engine.Sequential }).Bounded());

        var partial = Assert.IsType<RunResult<int>>(e.PartialResult);
        Assert.Equal([ItemStatus.Succeeded, ItemStatus.Succeeded, ItemStatus.Failed, ItemStatus.Succeeded], partial.Select(r => r.Status));
        Assert.Equal(3, partial[3].Value);
        Assert.IsType<FormatException>(partial[2].Exception);
    }

    [Fact]
    public async Task MapReduceAsync_SourceThrowsMidway_ExceptionCarriesThePartialCombination()
    {
        var e = await Assert.ThrowsAsync<SourceFailedException>(() =>
            Runner.MapReduceAsync(Inputs.ThrowingAfterAsync(5, new IOException("gone")), x => x + 1, (a, b) => a + b, new RunOptions { Engine = Engine.ThreadPool }).Bounded());

        var partial = Assert.IsType<ReduceResult<int>>(e.PartialResult);
        Assert.True(partial.HasValue);
        Assert.Equal(1 + 2 + 3 + 4 + 5, partial.PartialValue);
    }

    [Fact]
    public async Task MapAsync_Cancelled_ExceptionCarriesTheResultsOfTheItemsThatRan()
    {
        using var cts = new CancellationTokenSource();
        var e = await Assert.ThrowsAsync<RunCanceledException>(() =>
            Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), x =>
            {
                if (x == 3)
                {
                    cts.Cancel();
                }

                return x * 2;
            }, new RunOptions { Engine = Engine.Sequential, BatchSize = 1 }, cts.Token).Bounded());

        var partial = Assert.IsType<RunResult<int>>(e.PartialResult);
        Assert.Equal(100, partial.Count);
        Assert.Equal([0, 2, 4, 6], partial.Where(r => r.IsSuccess).Select(r => r.Value));
        Assert.Equal(ItemStatus.NotRun, partial[4].Status);
    }

    [Fact]
    public async Task ForEachAsync_SourceThrows_HasNoPartialResult()
    {
        var e = await Assert.ThrowsAsync<SourceFailedException>(() =>
            Runner.ForEachAsync(Inputs.ThrowingAfterAsync(3, new IOException("gone")), _ => { }, new RunOptions { Engine = Engine.Sequential }).Bounded());

        Assert.Null(e.PartialResult);
        Assert.Equal(3, e.Report.Succeeded);
    }

    private static Engine EngineNamed(string name) => name switch
    {
        "sequential" => Engine.Sequential,
        "threadpool" => Engine.ThreadPool,
        "threads" => Engine.Threads,
        "async" => Engine.Async,
        _ => Engine.Auto,
    };
}
