using BenchmarkDotNet.Attributes;

namespace Brigade.Benchmarks;

/// <summary>
/// Per-item overhead of each engine on tiny items, against the .NET primitives that do the same job: 100,000 items
/// through a few-nanosecond function, in input order.
/// </summary>
/// <remarks>
/// Results are per item (OperationsPerInvoke), so they read directly as the cost of one item. Two shapes: writing
/// into a preallocated array (Parallel.For's shape; Brigade's ForEachAsync) and returning a new array of results
/// (PLINQ's ToArray; Brigade's MapAsync, which allocates its 400 KB result array on every run).
/// </remarks>
[MemoryDiagnoser]
public class PerItemOverheadBenchmarks
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

    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "for loop")]
    public int[] ForLoop()
    {
        for (var i = 0; i < _items.Length; i++)
        {
            _results[i] = Work(_items[i]);
        }

        return _results;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "Parallel.For")]
    public int[] ParallelFor()
    {
        Parallel.For(0, _items.Length, i => _results[i] = Work(_items[i]));
        return _results;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "Parallel.ForEach (range partitioner)")]
    public int[] ParallelForEachRanges()
    {
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, _items.Length), range =>
        {
            for (var i = range.Item1; i < range.Item2; i++)
            {
                _results[i] = Work(_items[i]);
            }
        });
        return _results;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "PLINQ AsOrdered")]
    public int[] Plinq() => _items.AsParallel().AsOrdered().Select(Work).ToArray();

    [Benchmark(OperationsPerInvoke = N, Description = "Parallel.For + new result array")]
    public int[] ParallelForAllocating()
    {
        var results = new int[_items.Length];
        Parallel.For(0, _items.Length, i => results[i] = Work(_items[i]));
        return results;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "Brigade threadpool ForEach (preallocated)")]
    public int[] BrigadeThreadPoolForEach()
    {
        var results = _results;
        Runner.ForEachAsync(_items, x => results[x] = Work(x), new RunOptions { Engine = Engine.ThreadPool, CollectTimeline = false }).GetAwaiter().GetResult();
        return results;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "Brigade auto ForEach (preallocated)")]
    public int[] BrigadeAutoForEach()
    {
        var results = _results;
        Runner.ForEachAsync(_items, x => results[x] = Work(x), new RunOptions { CollectTimeline = false }).GetAwaiter().GetResult();
        return results;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "Brigade sequential")]
    public IReadOnlyList<int> BrigadeSequential() => Runner.MapAsync(_items, Work, new RunOptions { Engine = Engine.Sequential, CollectTimeline = false }).GetAwaiter().GetResult().Values;

    [Benchmark(OperationsPerInvoke = N, Description = "Brigade threadpool")]
    public IReadOnlyList<int> BrigadeThreadPool() => Runner.MapAsync(_items, Work, new RunOptions { Engine = Engine.ThreadPool, CollectTimeline = false }).GetAwaiter().GetResult().Values;

    [Benchmark(OperationsPerInvoke = N, Description = "Brigade threadpool + timeline")]
    public IReadOnlyList<int> BrigadeThreadPoolTimeline() => Runner.MapAsync(_items, Work, new RunOptions { Engine = Engine.ThreadPool }).GetAwaiter().GetResult().Values;

    [Benchmark(OperationsPerInvoke = N, Description = "Brigade threads (cores)")]
    public IReadOnlyList<int> BrigadeThreads() => Runner.MapAsync(_items, Work, new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = Environment.ProcessorCount, CollectTimeline = false }).GetAwaiter().GetResult().Values;

    [Benchmark(OperationsPerInvoke = N, Description = "Brigade async (cores)")]
    public IReadOnlyList<int> BrigadeAsync() => Runner.MapAsync(_items, Work, new RunOptions { Engine = Engine.Async, MaxDegreeOfParallelism = Environment.ProcessorCount, CollectTimeline = false }).GetAwaiter().GetResult().Values;

    [Benchmark(OperationsPerInvoke = N, Description = "Brigade threadpool + timeline + Losses")]
    public TimeSpan BrigadeThreadPoolLosses() => Runner.MapAsync(_items, Work, new RunOptions { Engine = Engine.ThreadPool }).GetAwaiter().GetResult().Report.Losses.Gap;

    [Benchmark(OperationsPerInvoke = N, Description = "Brigade auto + timeline + Losses (forecast)")]
    public TimeSpan BrigadeAutoLosses() => Runner.MapAsync(_items, Work, new RunOptions { Engine = AutoNoCache }).GetAwaiter().GetResult().Report.Losses.Gap;

    // Auto mode without the plan cache, so every run samples and its losses carry a forecast.
    private static readonly Engine AutoNoCache = Engine.CreateAuto(new Brigade.Auto.AutoEngineOptions { UsePlanCache = false });
}
