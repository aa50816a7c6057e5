using BenchmarkDotNet.Attributes;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Benchmarks;

/// <summary>
/// Detection latency: from the acquisition that closes a two-lock cycle to its <see cref="DeadlockException"/>.
/// Target (issue 5): under 1 ms at the median.
/// </summary>
/// <remarks>
/// Set-up: this thread holds A; a helper thread holds B and is blocked waiting for A. Each operation asks for B — the
/// wait that closes the cycle — and catches the refusal (report built and published, exception thrown and caught). The
/// helper keeps waiting, so the cycle closes again on the next operation. A second benchmark measures a self-deadlock,
/// which needs no helper.
/// </remarks>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet owns the instance; the process ends with the run.
public class DeadlockDetectionLatencyBenchmarks
#pragma warning restore CA1001
{
    private PitfallDiagnostics _diagnostics = null!;
    private DetectingLock _a = null!;
    private DetectingLock _b = null!;
    private LockScope _holdingA;
    private Thread? _helper;
    private ManualResetEventSlim _release = null!;

    [GlobalSetup]
    public void Setup()
    {
        _diagnostics = new PitfallDiagnostics { MaxRetainedReports = 0, LockOrderMode = LockOrderMode.Off };
        _a = new DetectingLock(new LockOptions { Name = "A", Diagnostics = _diagnostics });
        _b = new DetectingLock(new LockOptions { Name = "B", Diagnostics = _diagnostics });
        _release = new ManualResetEventSlim();
        _holdingA = _a.Acquire();
        var helperHoldsB = new ManualResetEventSlim();
        _helper = new Thread(() =>
        {
            using (_b.Acquire())
            {
                helperHoldsB.Set();
                using (_a.Acquire())
                {
                }

                _release.Wait();
            }
        })
        {
            IsBackground = true,
            Name = "helper",
        };
        _helper.Start();
        helperHoldsB.Wait();
        if (!SpinWait.SpinUntil(() => _a.WaitingCount == 1 && _b.IsHolderBlocked(), TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("the helper did not block on A");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _release.Set();
        _holdingA.Dispose();
        _helper?.Join();
    }

    [Benchmark(Baseline = true, Description = "two-lock cycle closed → DeadlockException")]
    public bool TwoLockCycle()
    {
        try
        {
            _b.Acquire().Dispose();
            return false;
        }
        catch (DeadlockException)
        {
            return true;
        }
    }

    [Benchmark(Description = "self-deadlock → DeadlockException")]
    public bool SelfDeadlock()
    {
        try
        {
            _a.Acquire().Dispose();
            return false;
        }
        catch (DeadlockException)
        {
            return true;
        }
    }
}
