using BenchmarkDotNet.Attributes;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Benchmarks;

/// <summary>
/// One read + write of a counter (an increment), single thread: a plain field, a lock-protected field, and
/// <see cref="Shared{T}"/> with no detector, with the race detector on (before and after a race was reported on it),
/// and its atomic <c>Increment</c>. 1,000 increments per invocation; results are per increment.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet owns the instance; the process ends with the run.
public class TrackedVariableBenchmarks
#pragma warning restore CA1001
{
    private const int N = 1_000;
    private readonly Lock _lock = new();
    private long _field;
    private Shared<long> _shared = null!;
    private RaceDetector? _detector;

    [Params(false, true)]
    public bool Detector { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _shared = new Shared<long>("counter");
        if (Detector)
        {
            _detector = RaceDetector.Start(new RaceDetectorOptions { Diagnostics = new PitfallDiagnostics() });
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _detector?.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "plain field")]
    public long PlainField()
    {
        for (var i = 0; i < N; i++)
        {
            _field++;
        }

        return _field;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "field under System.Threading.Lock")]
    public long LockedField()
    {
        for (var i = 0; i < N; i++)
        {
            using (_lock.EnterScope())
            {
                _field++;
            }
        }

        return _field;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "Shared<long> Write(Read() + 1)")]
    public long SharedReadWrite()
    {
        for (var i = 0; i < N; i++)
        {
            _shared.Write(_shared.Read() + 1);
        }

        return _field;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "Shared<long>.Increment (atomic)")]
    public long SharedIncrement()
    {
        for (var i = 0; i < N; i++)
        {
            _shared.Increment();
        }

        return _field;
    }
}
