using System.Diagnostics;
using Brigade.Auto;
using Brigade.Internal;

namespace Brigade.Tests.Auto;

/// <summary>
/// Auto mode on jobs that take a fraction of a millisecond (benchmark `tiny`: 500 items of ~0.3 µs): the sample does not
/// measure batches that can only confirm that the items compute, and a cached plan that no longer fits such a job is
/// replaced by what the job's own items showed instead of being written back unchanged.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoTinyJobTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"brigade-tiny-job-tests-{Guid.NewGuid():N}");

    public AutoTinyJobTests() => PlanCache.ResetLoaded();

    public void Dispose()
    {
        PlanCache.ResetLoaded();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task TinyJob_ItsLastBatchIsNotMeasured_AndItIsStillPlannedTiny()
    {
        // Items of ~0.3 µs, as many as take ~300 µs in all: a batch of a quarter of them lasts far over 25 µs
        // (AutoTuning.MinMeasuredBatch), so the sample used to measure the one after it (four system calls), though items
        // this short cannot have waited and the job ends long before the sample could widen.
        var perItem = CalibratedSpin(out var spins);
        var count = (int)Math.Clamp(TimeSpan.FromMicroseconds(300) / perItem, 200, 20_000);
        var items = Enumerable.Range(0, count).ToArray();
        Func<int, int> work = x => Spin(spins) ^ x;
        var outcomes = new List<AutoRunOutcome>();
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, OnFinished = outcomes.Add });

        // A busy machine can stretch a batch past AutoTuning.TinyItem per item (then it is measured, as before): a few tries.
        for (var run = 0; run < 5 && !outcomes.Exists(Unmeasured); run++)
        {
            var result = await Runner.MapAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(Bound);
            Assert.True(result.Report.IsSuccess);
        }

        var outcome = outcomes.Find(Unmeasured);
        Assert.True(outcome is not null, $"no run of {count} items left its batches unmeasured: {string.Join(" | ", outcomes.Select(o => $"{o.Totals.MeasuredBatches} measured of {o.Totals.Batches}, {o.Totals.WallTicks / 10.0:0} µs in batches, {o.Plans[^1].Explanation}"))}");
        Assert.Equal(WorkloadClass.Tiny, outcome.Decision?.Class);
        Assert.Equal(count, outcome.Totals.TotalItems + outcome.Warmup.TotalItems);

        // Only a run whose batches came to 100 µs or more says anything: its largest batch (a quarter of them or more, batches
        // double) lasted 25 µs or more, so the one after it was measured before.
        static bool Unmeasured(AutoRunOutcome o) => o.Totals.MeasuredBatches == 0 && o.Totals.WallTicks >= 4 * AutoTuning.MinMeasuredBatch.Ticks;
    }

    [Fact]
    public async Task CachedWidePlanForATinyJob_IsReplacedByTheJobsOwnItems_AndTheNextRunIsTiny()
    {
        // A plan remembered from a sample a busy machine slowed: 3 µs per item, so 500 items look like 1.5 ms of work
        // (over MinParallelWork) and are planned on several workers in batches of ~333: each worker's first batch only,
        // which counts as warm-up. The run then remembered the cached figures again, and every later run planned the same.
        Func<int, int> work = x => x + 1;
        _ = work(0);
        await WarmUpAsync();

        var items = Enumerable.Range(0, 500).ToArray();
        var key = PlanCache.KeyFor(WorkFunction<int, int>.FromSync(work, "work").Identity);
        new PlanCache(_directory).Put(key, new PlanCacheEntry
        {
            Work = "Tests.Tiny",
            Machine = PlanCache.Machine,
            Class = nameof(WorkloadClass.CpuBound),
            TimePerItemNs = 3_000,
            CpuPerItemNs = 3_000,
            MeasuredItems = 500,
            Engine = "threadpool",
            Width = 2,
            BatchSize = 333,
            Updated = DateTimeOffset.UtcNow,
        });
        PlanCache.ResetLoaded();
        AutoRunOutcome? outcome = null;
        var engine = Engine.CreateAuto(new AutoEngineOptions { PlanCacheDirectory = _directory, OnFinished = o => outcome = o });

        var stale = await Runner.MapAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(Bound);
        Assert.True(stale.Report.Plans[0].FromCache, stale.Report.Plan);
        Assert.NotEqual(WorkloadClass.Tiny, stale.Report.Plans[0].Class);

        PlanCache.ResetLoaded();
        var remembered = new PlanCache(_directory).TryGet(key);
        Assert.NotNull(remembered);
        Assert.True(remembered.TimePerItemNs < 1_500, $"the cache still says {remembered.TimePerItemNs:0} ns per item ({remembered.Engine} ×{remembered.Width}); the run: {stale.Report.Plan}; totals {outcome?.Totals}; warm-up {outcome?.Warmup}");

        var next = await Runner.MapAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(Bound);
        Assert.True(next.Report.Plans[0].FromCache, next.Report.Plan);
        Assert.Equal(WorkloadClass.Tiny, next.Report.Plans[0].Class);
        Assert.Equal(items.Select(x => x + 1), next.Values);
    }

    // Brigade's own code for a run of this shape compiled before the runs that matter (a run that mostly compiled code
    // teaches the cache nothing).
    private static async Task WarmUpAsync()
    {
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false });
        for (var i = 0; i < 3; i++)
        {
            _ = await Runner.MapAsync(Enumerable.Range(0, 500).ToArray(), x => x * 3, new RunOptions { Engine = engine }).WaitAsync(Bound);
        }
    }

    // Spins for about 0.3 µs per item (at least 10 rounds); returns the time per item measured.
    private static TimeSpan CalibratedSpin(out int spins)
    {
        spins = 64;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < 10_000; i++)
            {
                _ = Spin(spins);
            }

            var perItem = Stopwatch.GetElapsedTime(start) / 10_000;
            if (perItem >= TimeSpan.FromMicroseconds(0.2) || spins >= 1 << 16)
            {
                return perItem;
            }

            spins = Math.Max(10, (int)(spins * Math.Min(8, 0.3 / Math.Max(0.001, perItem.TotalMicroseconds))));
        }

        return TimeSpan.FromMicroseconds(0.3);
    }

    // Optimized from its first call, so that the calibration times the code the items run (not its first tier).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Spin(int rounds)
    {
        var h = 2166136261u;
        for (var i = 0; i < rounds; i++)
        {
            h = (h ^ (uint)i) * 16777619u;
        }

        return (int)h;
    }
}
