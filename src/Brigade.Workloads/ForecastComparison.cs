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

        // The items' own time, measured one at a time on a strided subset: the same baseline for every configuration.
        var perItem = await SequentialPerItemAsync(comparison.Workload, cancellationToken).ConfigureAwait(false);
        double Measured(RunReport report) => ForecastComparison.Measured(report, perItem);

        rows.Add(new ForecastRow("auto", predicted, predicted.Speedup, Measured(auto), costs[(last.Engine, last.DegreeOfParallelism)]) { MeasuredWall = auto.WallTime });

        foreach (var alternative in comparison.Alternatives)
        {
            var report = alternative.Report;
            var cost = await CostAsync(report.Engine, report.DegreeOfParallelism, cancellationToken).ConfigureAwait(false);
            var f = SpeedupForecast.Predict(sample, report.Engine, report.DegreeOfParallelism, report.BatchSize ?? AdaptiveBatch(sample.TimePerItem), cost);
            rows.Add(new ForecastRow(alternative.Label, f, f.Speedup, Measured(report), cost) { MeasuredWall = report.WallTime });
        }

        return rows;
    }

    /// <summary>
    /// The speedup a run measured over one worker on an idle machine: the items' own time over the run's wall time. Not
    /// the sample's time per item (a forecast input, and only a lower bound where auto mode decided from items still
    /// running), so the measured side is independent of the forecast.
    /// </summary>
    /// <param name="report">The run.</param>
    /// <param name="perItem">The items' own time each, measured one at a time (<see cref="SequentialPerItemAsync"/>); when
    /// null, read from the run itself.</param>
    /// <remarks>
    /// Measured one at a time on a strided subset of the items, the baseline is the same for every configuration and
    /// does not depend on how well a run of hundreds of threads on a busy machine can tell its items' time from its
    /// waits (asynchronous items' time in flight grows with the width; a run's run-queue reading is scaled up from
    /// stretches). Without it: the run's batches' time less the run-queue waits measured in them
    /// (<see cref="RunLosses.Useful"/>), plus the time they blocked and the GC paused them, less the waits for a core that
    /// worker processes measured themselves (not in the losses), at least the workers' CPU time. Either way a speedup over
    /// one worker on an idle machine, as <see cref="SpeedupForecast.Speedup"/> forecasts it: on a busy machine both can be
    /// below 1.
    /// </remarks>
    public static double Measured(RunReport report, TimeSpan? perItem = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.WallTime <= TimeSpan.Zero)
        {
            return 0;
        }

        if (perItem is { } each)
        {
            return report.Items * each.TotalSeconds / report.WallTime.TotalSeconds;
        }

        return OwnTime(report) / report.WallTime;
    }

    // The own time of items run one at a time: for asynchronous items their time in flight (one at a time nothing queues
    // them but the machine; the worker's thread changes between continuations, so its run-queue reading means little);
    // for items that are mostly CPU their CPU time (the rest is the machine's, however well the run queue was read);
    // else their batches less the run-queue waits measured on the one thread.
    private static TimeSpan BaselineOwnTime(RunReport report)
    {
        if (report.Workers.Count > 0 && report.WorkerCpuTime is null)
        {
            return report.BusyTime;
        }

        var own = OwnTime(report, oneWorker: true);
        return report.WorkerCpuTime is { } cpu && cpu >= 0.8 * own ? cpu : own;
    }

    // The items' own time in a run: its batches less the losses inside them that one worker would not have had. On one
    // worker (the baseline), a lock wait inside an item is the item's own too (nothing of the run contends with it).
    // Worker processes: where a worker did not measure its waits and busy time, the run's losses count its waits for a
    // core as the items' (a remote batch's time beyond its CPU time is the items' or transport; where every worker measured
    // both, the losses take the waits out since review 67, and the smaller of the two below is the same); so the items'
    // own time is what the workers measured themselves (protocol 7): their own
    // wall on the batches (no transport, no wait of this process's threads) less their waits for a core; where a worker
    // did not measure both, the waits it did measure come off the batches; at least their CPU time. Review 66b: CPU-bound
    // work on processes ×2 beside 8 `yes` measured 1.99 (a speedup over one worker under the same load) beside a forecast
    // of 0.09 (over one worker on an idle machine); less the waits alone, 0.35 beside 0.10 (this process's reading of the
    // results waited for a core too).
    private static TimeSpan OwnTime(RunReport report, bool oneWorker = false)
    {
        var losses = report.Losses;
        var own = losses.Useful + losses.TimeLostTo(LossCause.Blocking) + losses.TimeLostTo(LossCause.GcPauses) +
            (oneWorker ? losses.TimeLostTo(LossCause.LockContention) : TimeSpan.Zero);
        TimeSpan remoteOwn = TimeSpan.Zero, remoteWait = TimeSpan.Zero;
        bool remote = false, allMeasured = true;
        foreach (var w in report.Workers)
        {
            if (w.Batches == 0)
            {
                continue;
            }

            remote |= w.Location is not null;
            remoteWait += w.RemoteRunQueueWait ?? TimeSpan.Zero;
            if (w.RemoteBusy is { } busy && w.RemoteRunQueueWait is { } wait)
            {
                remoteOwn += busy > wait ? busy - wait : TimeSpan.Zero;
            }
            else
            {
                allMeasured = false;
            }
        }

        if (remote && allMeasured)
        {
            own = remoteOwn < own ? remoteOwn : own;
        }
        else
        {
            own = own > remoteWait ? own - remoteWait : TimeSpan.Zero;
        }

        return report.WorkerCpuTime is { } cpu && cpu > own ? cpu : own;
    }

    /// <summary>
    /// The items' own time, measured one at a time: sequential runs of items spread over the whole job (the golden
    /// ratio's low-discrepancy sequence of indices), in chunks of 1, 2, 4, … until half a second's worth ran; the last
    /// (largest) chunk's own time per item (see <c>BaselineOwnTime</c>). Null when the workload cannot run a subset.
    /// </summary>
    public static async Task<TimeSpan?> SequentialPerItemAsync(Workload workload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (workload.RunItems is not { } run || workload.Items <= 0)
        {
            return null;
        }

        var golden = (Math.Sqrt(5) - 1) / 2;
        var own = TimeSpan.Zero;
        var total = TimeSpan.Zero;
        long items = 0, next = 0, last = 0;
        for (var chunk = 1; total < TimeSpan.FromSeconds(0.5) && items < Math.Min(workload.Items, 100_000); chunk *= 2)
        {
            var indices = new int[chunk];
            for (var j = 0; j < chunk; j++, next++)
            {
                indices[j] = (int)(next * golden % 1 * workload.Items);
            }

            var report = await run(indices, new RunOptions { Engine = Engine.Sequential, Label = "baseline" }, cancellationToken).ConfigureAwait(false);
            if (!report.IsSuccess)
            {
                return null;
            }

            // The largest chunk (the last, half the items) counts: a run of a few tiny items is mostly its own overhead.
            own = BaselineOwnTime(report);
            items += report.Items;
            last = report.Items;
            total += own;
        }

        return last > 0 ? own / last : null;
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
