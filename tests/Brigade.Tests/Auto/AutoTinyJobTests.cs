using Brigade.Auto;
using Brigade.Internal;
using Brigade.Tests.Infrastructure;

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
        // Items of ~0.1-0.3 µs, as many as take ~300 µs in all: a batch of a quarter of them lasts far over 25 µs
        // (AutoTuning.MinMeasuredBatch), so the sample used to measure the one after it (four system calls), though items
        // this short cannot have waited and the job ends long before the sample could widen. The count follows what the
        // runs measure (timing the items beforehand reads a busy machine's preemptions as their time).
        Func<int, int> work = x => Spin(100) ^ x;
        var outcomes = new List<AutoRunOutcome>();
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, OnFinished = outcomes.Add });
        var count = 2_000;
        var counts = new List<int>();

        // A busy machine can stretch a batch past AutoTuning.TinyItem per item (then it is measured, as before), or the
        // sample's items past what makes the whole job tiny (a CI run planned 2,000 such items CPU-bound): a few tries.
        for (var run = 0; run < 8 && !outcomes.Exists(UnmeasuredTiny); run++)
        {
            var result = await Runner.MapAsync(Enumerable.Range(0, count).ToArray(), work, new RunOptions { Engine = engine }).WaitAsync(Bound);
            Assert.True(result.Report.IsSuccess);
            counts.Add(count);
            var last = outcomes[^1];
            var wall = last.Totals.WallTicks + last.Warmup.WallTicks;
            count = (int)Math.Clamp(count * (3_000.0 / Math.Max(1, wall)), 200, 50_000);
        }

        var index = outcomes.FindIndex(UnmeasuredTiny);
        Assert.True(index >= 0, $"no run left its batches unmeasured and was planned tiny: {string.Join(" | ", outcomes.Select((o, i) => $"{counts[i]} items, {o.Totals.MeasuredBatches} measured of {o.Totals.Batches}, {o.Totals.WallTicks / 10.0:0} µs in batches, {o.Decision?.Class}: {o.Plans[^1].Explanation}"))}");
        var outcome = outcomes[index];
        Assert.Equal(counts[index], outcome.Totals.TotalItems + outcome.Warmup.TotalItems);

        // Only a run on one worker whose batches came to 100 µs or more says anything: its batches doubled, so the largest
        // (a quarter of them or more) lasted 25 µs or more, and the one after it was measured before. (A process's first run
        // can outlast the sample's first millisecond compiling, and widen: its second worker's batches start small again.)
        static bool UnmeasuredTiny(AutoRunOutcome o) =>
            o.Workers.Count == 1 && o.Totals.MeasuredBatches == 0 && o.Totals.WallTicks >= 4 * AutoTuning.MinMeasuredBatch.Ticks &&
            o.Decision?.Class == WorkloadClass.Tiny;
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
        // What the stale run remembers is its own items' time, measured (x + 1 at load 30 can read slower than 1.5 µs):
        // up to three tries (Measured), each with a cache of its own holding the stale plan.
        await Measured.UpToThreeTimesAsync(async attempt =>
        {
            var directory = Path.Combine(_directory, $"try{attempt}");
            var key = PlanCache.KeyFor(WorkFunction<int, int>.FromSync(work, "work").Identity);
            new PlanCache(directory).Put(key, new PlanCacheEntry
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
            var engine = Engine.CreateAuto(new AutoEngineOptions { PlanCacheDirectory = directory, OnFinished = o => outcome = o });

            var stale = await Runner.MapAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(Bound);
            Assert.True(stale.Report.Plans[0].FromCache, stale.Report.Plan);
            Assert.NotEqual(WorkloadClass.Tiny, stale.Report.Plans[0].Class);

            PlanCache.ResetLoaded();
            var remembered = new PlanCache(directory).TryGet(key);
            Assert.NotNull(remembered);
            Assert.True(remembered.TimePerItemNs < 1_500, $"the cache still says {remembered.TimePerItemNs:0} ns per item ({remembered.Engine} ×{remembered.Width}); the run: {stale.Report.Plan}; totals {outcome?.Totals}; warm-up {outcome?.Warmup}");

            var next = await Runner.MapAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(Bound);
            Assert.True(next.Report.Plans[0].FromCache, next.Report.Plan);
            Assert.Equal(WorkloadClass.Tiny, next.Report.Plans[0].Class);
            Assert.Equal(items.Select(x => x + 1), next.Values);
        });
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

    // Optimized from its first call: the items' time does not change with tiering between runs.
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
