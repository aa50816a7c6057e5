using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Brigade.Benchmarks;

/// <summary>
/// 64 blocking calls of 250 ms, each measured in a fresh process (cold thread pool), the way a program meets them:
/// Parallel.ForEach on the thread pool against Brigade's dedicated threads.
/// </summary>
[SimpleJob(RunStrategy.ColdStart, launchCount: 3, warmupCount: 0, iterationCount: 1)]
public class BlockingBenchmarks
{
    private const int Items = 64;
    private static readonly TimeSpan Block = TimeSpan.FromMilliseconds(250);
    private readonly int[] _items = Enumerable.Range(0, Items).ToArray();

    [Benchmark(Baseline = true, Description = "Parallel.ForEach")]
    public void ParallelForEach() => Parallel.ForEach(_items, _ => Thread.Sleep(Block));

    [Benchmark(Description = "Brigade threads ×64")]
    public void BrigadeThreads() =>
        Runner.ForEachAsync(_items, _ => Thread.Sleep(Block), new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = Items }).GetAwaiter().GetResult();

    [Benchmark(Description = "Brigade threadpool ×64")]
    public void BrigadeThreadPool() =>
        Runner.ForEachAsync(_items, _ => Thread.Sleep(Block), new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = Items }).GetAwaiter().GetResult();
}
