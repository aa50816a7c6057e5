using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review34d;

// Review 34d: a lazy input (an IEnumerable that is not a list) allocated a buffer of the whole batch size before reading
// a single item: BatchSize = 100,000,000 over ten items allocated 400 MB per take, and BatchSize = int.MaxValue failed
// every run with "SourceFailedException: The input sequence threw after 0 items were read: OutOfMemoryException", though
// the input never threw. The buffer now grows with the items read, as a list or an asynchronous input already did.
public sealed class HugeBatchSizeTests
{
    public static TheoryData<string> Engines() => new("sequential", "threadpool", "threads", "async", "auto");

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task LazyInput_BatchSizeIntMax_RunsEveryItem(string engineName)
    {
        Assert.True(Engine.TryGetBuiltIn(engineName, out var engine));

        var result = await Runner.MapAsync(Ten(), i => i * 2, new RunOptions { Engine = engine, BatchSize = int.MaxValue }).Bounded();

        Assert.True(result.IsSuccess);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 2), result.Values);
    }

    [Fact]
    public async Task LazyInput_BatchSizeAboveItsLength_ReadsPastABufferGrowth()
    {
        var result = await Runner.MapAsync(Count(5000), i => i, new RunOptions { Engine = Engine.Sequential, BatchSize = 1_000_000 }).Bounded();

        Assert.Equal(Enumerable.Range(0, 5000), result.Values);
    }

    private static IEnumerable<int> Ten() => Count(10);

    private static IEnumerable<int> Count(int n)
    {
        for (var i = 0; i < n; i++)
        {
            yield return i;
        }
    }
}
