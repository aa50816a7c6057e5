using Brigade.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Auto;

/// <summary>
/// A plan from the plan cache for items that now outlast it is re-planned from the running items (AutoMonitor's overdue
/// re-plan), also when the process counted a stray plain-lock contention meanwhile: one contention cannot be the running
/// items queued at a lock (the quarter rule of the running waits' widening, review 33). The old rule (any contention
/// while the items' lock waits are untimed) held the re-plan only in a process whose lock timing was still pending; in a
/// test host the timing is on after the first run, so this test guards the re-plan, it does not reproduce that hold.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoOverdueContentionTests : IDisposable
{
    private static int _sleepMs;
    private static TimeSpan _burn;
    private static TaskCompletionSource<long>? _contended;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "brigade-overdue-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task CachedPlanOutlasted_WithAStrayLockContention_StillReplansWider()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // running items are read from per-thread clocks on Linux only
        }

        // The wall time is a measurement: up to three tries (Measured), each with a cache of its own.
        await Measured.UpToThreeTimesAsync(async attempt =>
        {
            var engine = Engine.CreateAuto(new AutoEngineOptions { PlanCacheDirectory = Path.Combine(_directory, $"try{attempt}") });

            // The cached plan: items of 0.3 ms of CPU and a 1 ms sleep, blocking at a width of ~2 × (1 + 1 / 0.3) ≈ 9.
            (_sleepMs, _burn) = (1, TimeSpan.FromMilliseconds(0.3));
            var first = await Runner.MapAsync(Enumerable.Range(0, 400).ToArray(), Nap, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains(first.Report.Plans, p => p.Class == WorkloadClass.Blocking);

            // The same work now sleeps 1 s, and one contention on a lock of the test's own happens at the run's start.
            (_sleepMs, _burn) = (1_000, TimeSpan.Zero);
            var trace = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var started = System.Diagnostics.Stopwatch.StartNew();
            AutoTrace.Write = line => trace.Enqueue($"{started.ElapsedMilliseconds,5} ms {line}");
            try
            {
                _contended = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                var result = await Runner.MapAsync(Enumerable.Range(0, 64).ToArray(), Nap, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(60));
                var counted = await _contended.Task.WaitAsync(TimeSpan.FromSeconds(10));

                Assert.Equal(Enumerable.Range(0, 64), result.Values);
                Assert.True(result.Report.Plans[0].FromCache, $"first plan not from the cache: {result.Report.Plans[0]}");
                Assert.True(result.Report.WallTime < TimeSpan.FromSeconds(4.5), $"{result.Report.WallTime.TotalSeconds:0.00} s; {counted} contention(s); {string.Join(" | ", result.Report.Plans)}\n{string.Join("\n", trace.Where(l => !l.Contains(" window ", StringComparison.Ordinal)).Take(40))}");
            }
            finally
            {
                AutoTrace.Write = null;
                _contended = null;
            }
        });
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static int Nap(int i)
    {
        if (i == 0 && _contended is { } contended)
        {
            // In the run, before the item sleeps: a thread of the test's own contends once (no worker waits for a lock).
            new Thread(() => contended.TrySetResult(StrayContention.Once())).Start();
            while (!contended.Task.IsCompleted)
            {
                Thread.Sleep(1);
            }
        }

        if (_burn > TimeSpan.Zero)
        {
            var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(_burn.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
            {
            }
        }

        Thread.Sleep(_sleepMs);
        return i;
    }
}
