using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>A cold run (no plan cache) of long sleeps: recognized as waits while the first items still sleep.</summary>
[Collection(AutoCollection.Name)]
public sealed class AutoColdWaitTests
{
    [Fact]
    public async Task LongSleeps_OnAColdAutoRun_AllOverlapInTheFirstWave()
    {
        // 64 × 500 ms: one wave is 0.5 s. The plan used to read the items' start-up CPU as a third of their time and run
        // 7 to 31 threads, so the sleeps took three waves or more (1.5 s and up); the bound leaves a second for a busy machine.
        var result = await Runner.MapAsync(Enumerable.Range(0, 64).ToArray(), i => { Thread.Sleep(500); return i; },
            new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 64), result.Values);
        Assert.Equal(WorkloadClass.Blocking, result.Report.Plans[0].Class);
        Assert.True(result.Report.WallTime < TimeSpan.FromSeconds(1.5), $"{result.Report.WallTime.TotalSeconds:0.00} s; {result.Report.Plan}");
    }

    [Fact]
    public async Task LongSleeps_WhereThreadsStartSlowly_StillOverlapInOneWave()
    {
        // Threads that cost 2 ms each to start: after ~10 ms of sleeping the first plan repays only √(64 × 10 ms / 2 ms) ≈ 18
        // of them; while none finishes, the plan widens as the wait grows (all 64 by ~130 ms): one wave of 1 s. Without
        // that, the first wave's 18 finish before the rest start (2 s and more).
        if (!OperatingSystem.IsLinux())
        {
            return; // running items' waits are read from per-thread clocks on Linux only: elsewhere plans wait for finished items
        }

        AutoThreads.StartCostOverride = TimeSpan.FromMilliseconds(2);
        try
        {
            var result = await Runner.MapAsync(Enumerable.Range(0, 64).ToArray(), i => { Thread.Sleep(1_000); return i; },
                new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) }).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(Enumerable.Range(0, 64), result.Values);
            Assert.Equal(WorkloadClass.Blocking, result.Report.Plans[0].Class);
            Assert.True(result.Report.WallTime < TimeSpan.FromSeconds(1.8), $"{result.Report.WallTime.TotalSeconds:0.00} s; {result.Report.Plan}");
        }
        finally
        {
            AutoThreads.StartCostOverride = null;
        }
    }

    [Fact]
    public async Task ItemsWhoseCpuIsElsewhere_LongerThanTheSample_LoseOneWaveAtMost()
    {
        // Work that reports its CPU from elsewhere (brigade run's commands): the sample waits at the core count for
        // finished items. The workers' first batches are kept aside as warm-up, so items longer than the sample time used
        // to run a second wave at the core count before any plan (16 × 1 s: three waves, 3 s); now the first wave decides.
        var result = await Runner.MapAsync(Enumerable.Range(0, 16).ToArray(), async (i, ct) => { await Task.Delay(1_000, ct); return i; },
            new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, ReportsExternalCpu = true }) }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 16), result.Values);
        Assert.Equal(WorkloadClass.AsyncIo, result.Report.Plans[0].Class);
        Assert.True(result.Report.WallTime < TimeSpan.FromSeconds(2.6), $"{result.Report.WallTime.TotalSeconds:0.00} s; {result.Report.Plan}");
    }

    [Fact]
    public async Task ItemsWhoseChildrenAreReadWhileTheyWait_AllOverlapInTheFirstWave()
    {
        // The same work, each item saying what it waits for (ExternalCpuTime.BeginRunning: a child that uses no CPU). The
        // sample reads the children's clocks while they run and widens before any finishes: one wave of 1 s; without
        // that reading, two (2 s and more, the test above).
        var result = await Runner.MapAsync(Enumerable.Range(0, 16).ToArray(), async (i, ct) =>
        {
            var child = new FixedCpuSource(() => TimeSpan.Zero);
            ExternalCpuTime.BeginRunning(child);
            await Task.Delay(1_000, ct);
            ExternalCpuTime.EndRunning(child);
            return i;
        }, new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, ReportsExternalCpu = true }) }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 16), result.Values);
        Assert.Equal(WorkloadClass.AsyncIo, result.Report.Plans[0].Class);
        Assert.True(result.Report.WallTime < TimeSpan.FromSeconds(1.7), $"{result.Report.WallTime.TotalSeconds:0.00} s; {result.Report.Plan}");
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(0.1, 0.9)]
    public async Task ItemsWhoseChildrenComputeWhileTheyRun_AreNotWidenedPastTheCores(double cpuShare, double runQueueShare)
    {
        // Children that use a core all the time they run (their clock keeps pace with the wall clock), or all the time they
        // get one on a busy machine (10% of it, 90% waiting for a core): read while running, they must not look like
        // waits; the sample stays at the core count until items finish (then their figures from wait4 plan the rest).
        var cores = Environment.ProcessorCount;
        var running = 0;
        var finished = 0;
        var peak = 0;
        var result = await Runner.MapAsync(Enumerable.Range(0, 4 * cores).ToArray(), async (i, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            if (Volatile.Read(ref finished) == 0)
            {
                InterlockedMax(ref peak, now);
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var child = new FixedCpuSource(() => System.Diagnostics.Stopwatch.GetElapsedTime(started) * cpuShare, () => System.Diagnostics.Stopwatch.GetElapsedTime(started) * runQueueShare);
            ExternalCpuTime.BeginRunning(child);
            await Task.Delay(300, ct);
            ExternalCpuTime.EndRunning(child);
            ExternalCpuTime.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started) * cpuShare);
            Interlocked.Increment(ref finished);
            Interlocked.Decrement(ref running);
            return i;
        }, new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, ReportsExternalCpu = true }) }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 4 * cores), result.Values);
        Assert.True(peak <= cores, $"{peak} at once on {cores} cores before any finished; {result.Report.Plan}");
    }

    [Fact]
    public void BeginRunning_WithoutASource_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ExternalCpuTime.BeginRunning(null!));
        Assert.Throws<ArgumentNullException>(() => ExternalCpuTime.EndRunning(null!));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var now && now != seen)
        {
            seen = now;
        }
    }

    private sealed class FixedCpuSource(Func<TimeSpan> cpu, Func<TimeSpan>? runQueue = null) : IExternalCpuSource
    {
        public bool TryRead(out TimeSpan cpuTime, out TimeSpan runQueueWait)
        {
            cpuTime = cpu();
            runQueueWait = runQueue?.Invoke() ?? TimeSpan.Zero;
            return true;
        }
    }
}
