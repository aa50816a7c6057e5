using BenchmarkDotNet.Attributes;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Benchmarks;

/// <summary>
/// Contended throughput: two threads each increment a shared counter 100,000 times under one lock.
/// Target (issue 5): Brigade's detecting lock within 2× of <see cref="Lock"/>.
/// </summary>
/// <remarks>Results are per acquisition (200,000 per invocation), so lower is more throughput.</remarks>
public class ContendedLockBenchmarks
{
    private const int PerThread = 100_000;
    private const int FairPerThread = PerThread / 10;   // every fair acquisition is a hand-off with a context switch
    private readonly Lock _lock = new();
    private DetectingLock _detecting = null!;
    private DetectingLock _plain = null!;
    private DetectingLock _fair = null!;
    private long _counter;

    [GlobalSetup]
    public void Setup()
    {
        _detecting = new DetectingLock(new LockOptions { Name = "detecting", Diagnostics = new PitfallDiagnostics() });
        _plain = new DetectingLock(new LockOptions { Name = "plain", DetectPitfalls = false, Diagnostics = new PitfallDiagnostics() });
        _fair = new DetectingLock(new LockOptions { Name = "fair", Fairness = LockFairness.Fair, Diagnostics = new PitfallDiagnostics() });
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * PerThread, Description = "System.Threading.Lock")]
    public long Lock() => OnTwoThreads(() =>
    {
        for (var i = 0; i < PerThread; i++)
        {
            using (_lock.EnterScope())
            {
                _counter++;
            }
        }
    });

    [Benchmark(OperationsPerInvoke = 2 * PerThread, Description = "DetectingLock, detection on")]
    public long DetectionOn() => OnTwoThreads(() =>
    {
        for (var i = 0; i < PerThread; i++)
        {
            using (_detecting.Acquire())
            {
                _counter++;
            }
        }
    });

    [Benchmark(OperationsPerInvoke = 2 * PerThread, Description = "DetectingLock, detection off")]
    public long DetectionOff() => OnTwoThreads(() =>
    {
        for (var i = 0; i < PerThread; i++)
        {
            using (_plain.Acquire())
            {
                _counter++;
            }
        }
    });

    [Benchmark(OperationsPerInvoke = 2 * FairPerThread, Description = "DetectingLock, fair (FIFO hand-off)")]
    public long Fair() => OnTwoThreads(() =>
    {
        for (var i = 0; i < FairPerThread; i++)
        {
            using (_fair.Acquire())
            {
                _counter++;
            }
        }
    });

    private long OnTwoThreads(Action body)
    {
        using var start = new Barrier(2);
        var threads = new Thread[2];
        for (var t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                start.SignalAndWait();
                body();
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        return _counter;
    }
}
