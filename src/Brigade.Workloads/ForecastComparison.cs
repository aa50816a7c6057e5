using System.Collections.Concurrent;
using Brigade.Auto;
using Brigade.Reporting;

namespace Brigade.Workloads;

/// <summary>
/// Forecast beside measured on one workload (issue 18): the speedup of each configuration forecast from auto mode's
/// sample (its first plan, and the spread of the sample's batches), with each engine's overhead measured here on empty
/// items, next to the speedup each configuration's median run measured: the same sequential estimate over its wall time.
/// </summary>
internal static class ForecastComparison
{
    private static readonly ConcurrentDictionary<(string Engine, int Width), EngineCost> Costs = new();

    /// <summary>Forecasts and measures every configuration of a comparison: auto first, then the hand-picked ones.</summary>
    public static async Task<IReadOnlyList<ForecastRow>> RunAsync(WorkloadComparison comparison, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var auto = comparison.Auto.Report;
        var rows = new List<ForecastRow>();
        if (auto.Plans.Count == 0 || SampleOf(auto) is not { } sample)
        {
            return rows;
        }

        var plan = auto.Plans[0];

        // Auto: the plan's engine, width and batch, after the sample (its items and its time count in the job).
        var sampled = Math.Min(plan.AtItem, auto.Items);
        var sampling = plan.FromCache ? TimeSpan.Zero
            : TimeSpan.FromTicks((long)(plan.TimePerItem.Ticks * (double)sampled / Math.Max(1, Math.Min(sample.Cores, plan.DegreeOfParallelism))));
        var rest = With(sample, items: auto.Items - sampled, sampling: sampling);
        var autoCost = await CostAsync(plan.Engine, plan.DegreeOfParallelism, cancellationToken).ConfigureAwait(false);
        var predicted = SpeedupForecast.Predict(rest, plan.Engine, plan.DegreeOfParallelism, plan.BatchSize, autoCost);
        var whole = auto.Items * plan.TimePerItem.TotalSeconds;
        var autoSpeedup = predicted.WallTime > TimeSpan.Zero && whole > 0 ? whole / predicted.WallTime.TotalSeconds : predicted.Speedup;
        rows.Add(new ForecastRow("auto", predicted, autoSpeedup, Measured(auto), autoCost));

        foreach (var alternative in comparison.Alternatives)
        {
            var report = alternative.Report;
            var cost = await CostAsync(report.Engine, report.DegreeOfParallelism, cancellationToken).ConfigureAwait(false);
            var f = SpeedupForecast.Predict(sample, report.Engine, report.DegreeOfParallelism, report.BatchSize ?? AdaptiveBatch(sample.TimePerItem), cost);
            rows.Add(new ForecastRow(alternative.Label, f, f.Speedup, Measured(report), cost));
        }

        return rows;

        // The same sequential estimate as the forecast's (the items × the sample's time per item) over the median run's
        // wall time: the error is the forecast wall time's. (RunLosses.Speedup is not used: on the async engine a
        // worker's busy time is not the items' time in flight.)
        double Measured(RunReport report) => report.WallTime > TimeSpan.Zero ? report.Items * plan.TimePerItem.TotalSeconds / report.WallTime.TotalSeconds : 0;
    }

    /// <summary>The sample behind auto's first plan, with the spread of the sampled batches' item times.</summary>
    public static ForecastSample? SampleOf(RunReport auto)
    {
        ArgumentNullException.ThrowIfNull(auto);
        if (auto.Plans.Count == 0 || auto.Plans[0].TimePerItem <= TimeSpan.Zero)
        {
            return null;
        }

        var plan = auto.Plans[0];
        var sample = ForecastSample.FromPlan(plan, auto.Items, readGroups: true);
        return With(sample, spread: Spread(auto.Timeline, plan));
    }

    /// <summary>
    /// The items' spread from the batches the sample ran (those that started before the plan): the coefficient of
    /// variation of their time per item, scaled up by the square root of their size (a batch of b items varies √b
    /// times less than one item). CPU time where the work is mostly CPU, so that a busy machine's run-queue waits
    /// do not read as a spread of the items.
    /// </summary>
    public static double Spread(IReadOnlyList<TimelineEvent> timeline, AutoPlan plan)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(plan);
        var cpu = plan.CpuRatio >= 0.5;
        var perItem = new List<double>();
        double count = 0;
        foreach (var e in timeline)
        {
            if (e.FirstIndex >= plan.AtItem || e.Count <= 0 || e.Failed > 0)
            {
                continue;
            }

            var time = cpu && e.CpuTime is { } c ? c : e.Duration;
            perItem.Add(time.TotalSeconds / e.Count);
            count += e.Count;
        }

        if (perItem.Count < 4)
        {
            return 0;
        }

        var mean = perItem.Average();
        if (mean <= 0)
        {
            return 0;
        }

        var sd = Math.Sqrt(perItem.Sum(x => (x - mean) * (x - mean)) / (perItem.Count - 1));
        return sd / mean * Math.Sqrt(count / perItem.Count);
    }

    /// <summary>The batch adaptive batching settles on, about: a millisecond's worth of items, as a power of two.</summary>
    public static int AdaptiveBatch(TimeSpan perItem) => AutoPlannerBatch(perItem, TimeSpan.FromMilliseconds(1));

    /// <summary>
    /// Measures what an engine at a width costs beyond its items: runs of 256 and 4,096 empty items (the least of five
    /// each); the slope of the process's CPU time is the cost per item, the intercept the start-up. Cached per engine and width.
    /// </summary>
    public static async Task<EngineCost> CostAsync(string engine, int width, CancellationToken cancellationToken = default)
    {
        if (Costs.TryGetValue((engine, width), out var known))
        {
            return known;
        }

        Engine? e = engine switch
        {
            "sequential" => Engine.Sequential,
            "threadpool" => Engine.ThreadPool,
            "threads" => Engine.Threads,
            "async" => Engine.Async,
            _ => null,
        };
        if (e is null)
        {
            return EngineCost.Default(engine, width, 1);
        }

        const int Small = 256, Large = 4_096;
        var (smallWall, smallCpu) = await LeastAsync(e, width, Small, cancellationToken).ConfigureAwait(false);
        var (largeWall, largeCpu) = await LeastAsync(e, width, Large, cancellationToken).ConfigureAwait(false);

        // From CPU time, not wall time: on a busy machine the wall time of empty items is mostly the run queue, which
        // the forecast already counts from the machine's load (counting it here too would count it twice). The
        // per-item cost is the CPU slope; the start-up is the small run's wall time less its items' share, at most
        // the wall time's intercept.
        var slope = Math.Max(0, (largeCpu - smallCpu).TotalSeconds / (Large - Small));
        var wallSlope = Math.Max(0, (largeWall - smallWall).TotalSeconds / (Large - Small));
        var startUp = Math.Max(0, Math.Min(smallCpu.TotalSeconds - (slope * Small), smallWall.TotalSeconds - (wallSlope * Small)));
        var cost = new EngineCost
        {
            StartUp = TimeSpan.FromSeconds(startUp),
            PerItem = TimeSpan.FromSeconds(slope),
            Measured = true,
        };
        Costs[(engine, width)] = cost;
        return cost;
    }

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> LeastAsync(Engine engine, int width, int items, CancellationToken cancellationToken)
    {
        var source = Enumerable.Range(0, items).ToArray();
        var options = new RunOptions { Engine = engine, MaxDegreeOfParallelism = width, CollectTimeline = false, Label = "calibration" };
        var wall = TimeSpan.MaxValue;
        var cpu = TimeSpan.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var report = engine == Engine.Async
                ? (await Runner.MapAsync(source, static (x, _) => ValueTask.FromResult(x), options, cancellationToken).ConfigureAwait(false)).Report
                : (await Runner.MapAsync(source, static x => x, options, cancellationToken).ConfigureAwait(false)).Report;
            wall = report.WallTime < wall ? report.WallTime : wall;
            cpu = report.ProcessCpuTime < cpu ? report.ProcessCpuTime : cpu;
        }

        return (wall, cpu);
    }

    private static int AutoPlannerBatch(TimeSpan perItem, TimeSpan target)
    {
        if (perItem <= TimeSpan.Zero)
        {
            return 1 << 16;
        }

        var items = target.Ticks / (double)perItem.Ticks;
        return items < 2 ? 1 : (int)Math.Min(1 << 16, 1L << (int)Math.Floor(Math.Log2(items)));
    }

    private static ForecastSample With(ForecastSample s, long? items = null, TimeSpan? sampling = null, double? spread = null) => new()
    {
        Items = items ?? s.Items,
        TimePerItem = s.TimePerItem,
        Spread = spread ?? s.Spread,
        CpuRatio = s.CpuRatio,
        RunQueueShare = s.RunQueueShare,
        SampleWorkers = s.SampleWorkers,
        SerialFraction = s.SerialFraction,
        OtherLoad = s.OtherLoad,
        OtherGroups = s.OtherGroups,
        Cores = s.Cores,
        Sampling = sampling ?? s.Sampling,
    };
}
