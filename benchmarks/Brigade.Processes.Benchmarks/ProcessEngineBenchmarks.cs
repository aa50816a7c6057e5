using BenchmarkDotNet.Attributes;

namespace Brigade.Processes.Benchmarks;

/// <summary>
/// Per-item cost of the process engine on trivial items with a warm pool of two workers: automatic batching (numbers,
/// which travel as raw bytes, and small objects, which travel as JSON) against fixed batches of one item (a round
/// trip per item, like Python's <c>chunksize=1</c>).
/// </summary>
/// <remarks>Results are per item (OperationsPerInvoke).</remarks>
[MemoryDiagnoser]
[ShortRunJob]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes it in GlobalCleanup.")]
public class ProcessEngineBenchmarks
{
    private const int N = 100_000;
    private const int RoundTrips = 5_000;
    private readonly int[] _items = [.. Enumerable.Range(0, N)];
    private readonly int[] _few = [.. Enumerable.Range(0, RoundTrips)];
    private readonly Number[] _objects = [.. Enumerable.Range(0, N).Select(i => new Number(i))];
    private ProcessEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 2 });
        _engine.WarmUpAsync(typeof(AddOne)).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "processes ×2, auto batches")]
    public Task<RunResult<int>> AutoBatches() => Runner.MapAsync(_items, new AddOne(), new RunOptions { Engine = _engine });

    [Benchmark(OperationsPerInvoke = N, Description = "processes ×2, auto batches, JSON objects")]
    public Task<RunResult<Number>> AutoBatchesJson() => Runner.MapAsync(_objects, new AddOneJson(), new RunOptions { Engine = _engine });

    [Benchmark(OperationsPerInvoke = RoundTrips, Description = "processes ×2, batch 1")]
    public Task<RunResult<int>> OneItemPerBatch() => Runner.MapAsync(_few, new AddOne(), new RunOptions { Engine = _engine, BatchSize = 1 });
}
