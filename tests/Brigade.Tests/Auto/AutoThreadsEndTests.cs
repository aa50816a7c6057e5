using System.Diagnostics;
using Brigade.Auto;
using Brigade.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Brigade.Tests.Auto;

/// <summary>
/// Nothing an auto run starts outlives it: its worker threads end, no lock-wait thread is left, and the shared controller
/// thread parks (no wake-ups) once its linger is over, sleeping (not spinning) while it lingers.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoThreadsEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static RunOptions Options(FailureMode failureMode = FailureMode.Continue) => new()
    {
        Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }),
        FailureMode = failureMode,
    };

    [Fact]
    public async Task CompletedRun_LeavesNothingRunning()
    {
        await Runner.MapAsync(Enumerable.Range(0, 400).ToArray(), Spin, Options()).WaitAsync(Bound);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task CancelledRun_LeavesNothingRunning()
    {
        using var cts = new CancellationTokenSource();
        var run = Runner.ForEachAsync(Enumerable.Range(0, 100_000).ToArray(), x =>
        {
            Thread.Sleep(1);
            if (x == 200)
            {
                cts.Cancel();
            }
        }, Options(), cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Bound));
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task FailFastRun_OfContendedItems_LeavesNothingRunning()
    {
        // Items that queue on one lock (not CPU-bound, contended), stopped by a failure.
        var shared = new object();
        var result = await Runner.ForEachAsync(Enumerable.Range(0, 100_000).ToArray(), x =>
        {
            lock (shared)
            {
                Thread.Sleep(1);
            }

            if (x == 300)
            {
                throw new InvalidOperationException("item failed");
            }
        }, Options(FailureMode.StopOnFirstFailure)).WaitAsync(Bound);

        Assert.Contains(result.Failures, f => f.Index == 300);
        Assert.True(result.NotRun > 0);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task WideBlockingRun_ThreadsStartedPastTheFirstWave_LeaveNothingRunning()
    {
        // Short sleeps are pure waits: auto plans far more dedicated threads than its first wave (32); past the wave the
        // launcher thread starts them. Every one of them, the launcher included, ends with the run.
        var peak = await RunSleepsAsync(2_000, cap: null);
        Assert.True(peak > 32, $"at most {peak} items ran at once: the plan never went past the first wave");
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task WideBlockingRun_UnderAUserCap_NeverRunsMoreItemsAtOnceThanTheCap()
    {
        // The cap sits between the first wave (32) and the plan's width: the launcher must stop at it too.
        const int Cap = 40;
        var peak = await RunSleepsAsync(1_000, cap: Cap);
        Assert.InRange(peak, 2, Cap);
        await AssertNothingLeftAsync();
    }

    private static async Task<int> RunSleepsAsync(int count, int? cap)
    {
        var running = 0;
        var peak = 0;
        var options = Options();
        options.MaxDegreeOfParallelism = cap;
        await Runner.ForEachAsync(Enumerable.Range(0, count).ToArray(), _ =>
        {
            var now = Interlocked.Increment(ref running);
            Peak.Raise(ref peak, now);

            Thread.Sleep(5);
            Interlocked.Decrement(ref running);
        }, options).WaitAsync(Bound);
        return peak;
    }

    private async Task AssertNothingLeftAsync()
    {
        Assert.Equal(0, AutoThreads.Live); // counted down by each worker thread as it leaves
        var cpuAtEnd = ControllerCpu(Threads());
        var deadline = Stopwatch.StartNew();
        string? left;
        string? previous = null;
        while (true)
        {
            // The controller thread is parked when it neither ran nor switched over a span longer than its linger.
            var threads = Threads();
            left = Leftover(threads, previous);
            if (left is null && previous is not null)
            {
                break;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                break;
            }

            previous = Controller(threads);
            await Task.Delay(AutoTicker.Linger * 3);
        }

        var lingerCpu = TimeSpan.FromTicks((ControllerCpu(Threads()) - cpuAtEnd) / 100);
        output.WriteLine($"settled after {deadline.ElapsedMilliseconds} ms; controller CPU meanwhile {lingerCpu.TotalMilliseconds:F1} ms");
        Assert.Null(left);

        // While it lingers (100 ms) the controller wakes every millisecond and goes back to sleep: a few microseconds a
        // wake. It used to spin instead (a sub-millisecond WaitOne returns at once): up to the whole linger of CPU.
        Assert.True(lingerCpu < TimeSpan.FromMilliseconds(10), $"the controller used {lingerCpu.TotalMilliseconds:F1} ms of CPU after the run ended");
    }

    // What still runs that should not, or null: a worker thread, a lock-wait thread, a controller that still wakes.
    private static string? Leftover(List<(string Name, string State)> threads, string? previousController)
    {
        // Names as the kernel keeps them (15 characters): "brigade-auto-12", "brigade lock-wa"; the controller is "brigade-auto-co".
        foreach (var (name, _) in threads)
        {
            if ((name.StartsWith("brigade-auto-", StringComparison.Ordinal) && name != "brigade-auto-co") || name.StartsWith("brigade lock", StringComparison.Ordinal))
            {
                return "thread " + name;
            }
        }

        var controller = Controller(threads);
        return previousController is null || controller == previousController ? null : "controller still waking: " + controller;
    }

    // The controller thread's CPU time in nanoseconds (0 when there is none, or not on Linux).
    private static long ControllerCpu(List<(string Name, string State)> threads) =>
        Controller(threads) is { } state ? long.Parse(state.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static string? Controller(List<(string Name, string State)> threads) =>
        threads.FirstOrDefault(t => t.Name == "brigade-auto-co").State;

    // Every thread of this process named by Brigade, with its CPU time and voluntary switches (Linux; none elsewhere).
    private static List<(string Name, string State)> Threads()
    {
        var result = new List<(string, string)>();
        if (!OperatingSystem.IsLinux())
        {
            return result;
        }

        foreach (var dir in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                if (name.StartsWith("brigade", StringComparison.Ordinal))
                {
                    var cpu = File.ReadAllText(Path.Combine(dir, "schedstat")).Split(' ')[0];
                    var switches = File.ReadAllLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("voluntary_ctxt_switches", StringComparison.Ordinal));
                    result.Add((name, $"{Path.GetFileName(dir)} cpu {cpu} ns, {switches}"));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The thread ended while being read.
            }
        }

        return result;
    }

    private static double Spin(int x)
    {
        var s = 0.0;
        for (var i = 0; i < 200_000; i++)
        {
            s += Math.Sqrt(i + x);
        }

        return s;
    }
}
