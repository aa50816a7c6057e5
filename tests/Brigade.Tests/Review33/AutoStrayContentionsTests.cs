using Brigade.Auto;
using Brigade.Tests.Auto;

namespace Brigade.Tests.Review33;

/// <summary>
/// Review 33: a plan for running pure waits widens unless the process's lock contentions reach a quarter of the running
/// items. The running items counted were those the inspector read in one tick (at most 16), not the threads running:
/// four stray contentions in the process were enough to hold 64 × 2 s sleeps at the first plan's width for the wave.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoStrayContentionsTests
{
    [Fact]
    public async Task LongSleeps_WithFourStrayLockContentions_StillOverlapInOneWave()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        AutoThreads.StartCostOverride = TimeSpan.FromMilliseconds(2);
        var trace = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        AutoTrace.Write = line => trace.Enqueue($"{started.ElapsedMilliseconds,5} ms {line}");
        var contention = Task.Run(async () =>
        {
            // Four threads of the test's own queue at one lock, 40 ms after the start: four contentions, none an item's
            // (a quarter of the 16 items read in a tick; the plan's first width is ×20–×45).
            await Task.Delay(40);
            var gate = new object();
            using var held = new ManualResetEventSlim();
            var holder = new Thread(() =>
            {
                lock (gate)
                {
                    held.Set();
                    Thread.Sleep(100);
                }
            });
            holder.Start();
            held.Wait();
            var before = Monitor.LockContentionCount;
            var waiters = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                lock (gate)
                {
                }
            })).ToArray();
            foreach (var w in waiters)
            {
                w.Start();
            }

            holder.Join();
            foreach (var w in waiters)
            {
                w.Join();
            }

            return Monitor.LockContentionCount - before;
        });
        try
        {
            var result = await Runner.MapAsync(Enumerable.Range(0, 64).ToArray(), i => { Thread.Sleep(2_000); return i; },
                new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) }).WaitAsync(TimeSpan.FromSeconds(30));

            var counted = await contention;
            Assert.True(counted >= 4, $"the test's threads contended {counted} times");
            Assert.Equal(Enumerable.Range(0, 64), result.Values);
            Assert.Equal(WorkloadClass.Blocking, result.Report.Plans[0].Class);
            Assert.True(result.Report.WallTime < TimeSpan.FromSeconds(3), $"{result.Report.WallTime.TotalSeconds:0.00} s; {counted} contentions; {result.Report.Plan}\n{string.Join("\n", trace.Where(l => !l.Contains(" window ", StringComparison.Ordinal)).Take(40))}");
        }
        finally
        {
            AutoTrace.Write = null;
            AutoThreads.StartCostOverride = null;
        }
    }
}
