using System.Collections.Concurrent;
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
        if (SampleOf(auto) is not { } sample)
        {
            return rows;
        }

        // Auto: each plan's items on its engine, width and batch, after the sample (SpeedupForecast.ForRun), with the
        // engines' costs measured here.
        var costs = new Dictionary<(string Engine, int Width), EngineCost>();
        foreach (var p in auto.Plans)
        {
            costs[(p.Engine, p.DegreeOfParallelism)] = await CostAsync(p.Engine, p.DegreeOfParallelism, cancellationToken).ConfigureAwait(false);
        }

        var predicted = SpeedupForecast.ForRun(auto, (e, w, _) => costs[(e, w)], sample)!;
        var last = auto.Plans[^1];
        rows.Add(new ForecastRow("auto", predicted, predicted.Speedup, Measured(auto), costs[(last.Engine, last.DegreeOfParallelism)]));

        foreach (var alternative in comparison.Alternatives)
        {
            var report = alternative.Report;
            var cost = await CostAsync(report.Engine, report.DegreeOfParallelism, cancellationToken).ConfigureAwait(false);
            var f = SpeedupForecast.Predict(sample, report.Engine, report.DegreeOfParallelism, report.BatchSize ?? AdaptiveBatch(sample.TimePerItem), cost);
            rows.Add(new ForecastRow(alternative.Label, f, f.Speedup, Measured(report), cost));
        }

        return rows;
    }

    /// <summary>
    /// The speedup a run measured over one worker on an idle machine: the items' own time in that run over its wall
    /// time. Not the sample's time per item (a forecast input, and only a lower bound where auto mode decided from items
    /// still running), so the measured side is independent of the forecast.
    /// </summary>
    /// <remarks>
    /// The items' own time: for items run on threads, the batches' time less the run-queue waits measured in them
    /// (<see cref="RunLosses.Useful"/>), plus the time they blocked and the GC paused them (one worker would pay both),
    /// at least the workers' CPU time (the run-queue reading is scaled up from stretches and can overshoot). For
    /// asynchronous items, whose time in flight grows with the width (timers and continuations queue for the cores),
    /// the lower quartile of the items' times in flight, times the items: the time an item takes when nothing queues it.
    /// </remarks>
    public static double Measured(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.WallTime <= TimeSpan.Zero)
        {
            return 0;
        }

        var engine = report.Plans.Count > 0 ? report.Plans[^1].Engine : report.Engine;
        if (engine == "async" && LowerQuartilePerItem(report.Timeline) is { } perItem)
        {
            return report.Items * perItem / report.WallTime.TotalSeconds;
        }

        var losses = report.Losses;
        var own = losses.Useful + losses.TimeLostTo(LossCause.Blocking) + losses.TimeLostTo(LossCause.GcPauses);
        if (report.WorkerCpuTime is { } cpu && cpu > own)
        {
            own = cpu;
        }

        return own / report.WallTime;
    }

    private static double? LowerQuartilePerItem(IReadOnlyList<TimelineEvent> timeline)
    {
        var times = timeline.Where(static e => e.Count > 0 && e.Failed == 0).Select(static e => e.Duration.TotalSeconds / e.Count).Order().ToArray();
        return times.Length >= 4 ? times[times.Length / 4] : null;
    }

    /// <summary>The sample behind auto's first plan, with the spread of the sampled batches' item times.</summary>
    public static ForecastSample? SampleOf(RunReport auto)
    {
        ArgumentNullException.ThrowIfNull(auto);
        return ForecastSample.FromRun(auto, readGroups: true);
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
}
