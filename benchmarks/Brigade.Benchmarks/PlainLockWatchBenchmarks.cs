using BenchmarkDotNet.Attributes;
using Brigade.Diagnostics;
using Brigade.Doctor;

namespace Brigade.Benchmarks;

/// <summary>
/// An uncontended <c>lock</c> (Monitor) and <c>System.Threading.Lock</c> acquire + release, with <see cref="PlainLockWatch"/>
/// off and on. Target (issue 13): on within noise of off: an uncontended acquisition raises no contention event.
/// </summary>
/// <remarks>1,000 acquisitions per invocation; results are per acquisition.</remarks>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet owns the instance; the process ends with the run.
public class PlainLockWatchBenchmarks
#pragma warning restore CA1001
{
    private const int N = 1_000;
    private readonly object _monitor = new();
    private readonly Lock _lock = new();
    private PlainLockWatch? _watch;
    private long _counter;

    [Params(false, true)]
    public bool Watch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Watch)
        {
            _watch = PlainLockWatch.Start(new PlainLockWatchOptions { Diagnostics = new PitfallDiagnostics(), WarmUp = false });
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _watch?.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "lock (Monitor)")]
    public long Monitor()
    {
        for (var i = 0; i < N; i++)
        {
            lock (_monitor)
            {
                _counter++;
            }
        }

        return _counter;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "System.Threading.Lock")]
    public long Lock()
    {
        for (var i = 0; i < N; i++)
        {
            using (_lock.EnterScope())
            {
                _counter++;
            }
        }

        return _counter;
    }
}
