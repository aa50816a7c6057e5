using BenchmarkDotNet.Attributes;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Benchmarks;

/// <summary>
/// One uncontended acquire + release (around an increment), Brigade's detecting lock against the .NET locks.
/// Targets (issue 5): detection on within 5× of <see cref="Lock"/>, detection off within 1.5×.
/// </summary>
/// <remarks>1,000 acquisitions per invocation; results are per acquisition.</remarks>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet owns the instance; the process ends with the run.
public class UncontendedLockBenchmarks
#pragma warning restore CA1001
{
    private const int N = 1_000;
    private readonly Lock _lock = new();
    private readonly object _monitor = new();
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private DetectingLock _detecting = null!;
    private DetectingLock _plain = null!;
    private DetectingLock _withStacks = null!;
    private long _counter;

    [GlobalSetup]
    public void Setup()
    {
        _detecting = new DetectingLock(new LockOptions { Name = "detecting", Diagnostics = new PitfallDiagnostics() });
        _plain = new DetectingLock(new LockOptions { Name = "plain", DetectPitfalls = false, Diagnostics = new PitfallDiagnostics() });
        _withStacks = new DetectingLock(new LockOptions { Name = "stacks", Diagnostics = new PitfallDiagnostics { CaptureStackTraces = true } });
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "System.Threading.Lock")]
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

    [Benchmark(OperationsPerInvoke = N, Description = "lock (Monitor)")]
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

    [Benchmark(OperationsPerInvoke = N, Description = "SemaphoreSlim(1)")]
    public long Semaphore()
    {
        for (var i = 0; i < N; i++)
        {
            _semaphore.Wait();
            _counter++;
            _semaphore.Release();
        }

        return _counter;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "DetectingLock, detection on")]
    public long DetectionOn()
    {
        for (var i = 0; i < N; i++)
        {
            using (_detecting.Acquire())
            {
                _counter++;
            }
        }

        return _counter;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "DetectingLock, detection off")]
    public long DetectionOff()
    {
        for (var i = 0; i < N; i++)
        {
            using (_plain.Acquire())
            {
                _counter++;
            }
        }

        return _counter;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "DetectingLock, on + stack traces")]
    public long DetectionWithStackTraces()
    {
        for (var i = 0; i < N / 10; i++)
        {
            using (_withStacks.Acquire())
            {
                _counter++;
            }
        }

        return _counter;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "SemaphoreSlim(1).WaitAsync")]
    public async Task<long> SemaphoreAsync()
    {
        for (var i = 0; i < N; i++)
        {
            await _semaphore.WaitAsync().ConfigureAwait(false);
            _counter++;
            _semaphore.Release();
        }

        return _counter;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "DetectingLock.AcquireAsync, detection on")]
    public async Task<long> DetectionOnAsync()
    {
        for (var i = 0; i < N; i++)
        {
            using (await _detecting.AcquireAsync().ConfigureAwait(false))
            {
                _counter++;
            }
        }

        return _counter;
    }
}
