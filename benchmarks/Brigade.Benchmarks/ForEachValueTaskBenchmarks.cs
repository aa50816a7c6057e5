using BenchmarkDotNet.Attributes;

namespace Brigade.Benchmarks;

/// <summary>
/// Per-item cost of <c>Runner.ForEachAsync</c> with an asynchronous delegate (<c>Func&lt;T, CancellationToken, ValueTask&gt;</c>)
/// whose <see cref="ValueTask"/> completes synchronously (a cache hit, a buffered write), beside the same work as a
/// synchronous <see cref="Action{T}"/>: the difference is what adapting the delegate to the engines' shape costs (lib64).
/// </summary>
/// <remarks>The sequential engine, so that the figure is the per-item path and not the machine's other load.</remarks>
[MemoryDiagnoser]
public class ForEachValueTaskBenchmarks
{
    private const int N = 100_000;
    private int[] _items = [];
    private int[] _results = [];

    [GlobalSetup]
    public void Setup()
    {
        _items = Enumerable.Range(0, N).ToArray();
        _results = new int[N];
    }

    private static int Work(int x) => (x * 31) ^ (x >> 3);

    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "ForEach Action<T> (sequential)")]
    public RunReport Action()
    {
        var results = _results;
        return Runner.ForEachAsync(_items, x => results[x] = Work(x), new RunOptions { Engine = Engine.Sequential, CollectTimeline = false }).GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = N, Description = "ForEach ValueTask, completed synchronously (sequential)")]
    public RunReport ValueTaskSynchronous()
    {
        var results = _results;
        return Runner.ForEachAsync(_items, (x, _) =>
        {
            results[x] = Work(x);
            return ValueTask.CompletedTask;
        }, new RunOptions { Engine = Engine.Sequential, CollectTimeline = false }).GetAwaiter().GetResult();
    }
}
