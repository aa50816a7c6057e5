using Brigade.Auto;

namespace Brigade.Reporting;

/// <summary>Auto mode's forecast of a whole run, from the plans it made (see <see cref="ForRun"/>).</summary>
public sealed partial class SpeedupForecast
{
    /// <summary>
    /// Forecasts an auto-mode run from its plans, each from what was measured when it was made: the items of each plan
    /// (from its <see cref="AutoPlan.AtItem"/> to the next plan's) on its engine, width and batch size, after the sample's
    /// own wall time (when the first plan's first batch started, read from the timeline).
    /// </summary>
    /// <param name="run">A run auto mode planned (its <see cref="RunReport.Plans"/> not empty).</param>
    /// <param name="costOf">What an engine costs at a width and batch size; <see cref="EngineCost.Default"/> when null.</param>
    /// <param name="sample">The machine as the forecast assumes it; read now (<see cref="ForecastSample.FromPlan"/>) when null.
    /// Its items, time per item, CPU share and spread are replaced by each plan's.</param>
    /// <returns>The forecast for the engine the run ended on, or null when the run has no plan with a measurement.</returns>
    /// <remarks>
    /// <para>A plan decided from items still running knows only that they take longer than their time so far. When the
    /// plan's time is known, the sample is read as it stood then (<see cref="SampledAtDecision"/>: finished items' times,
    /// running items expected to last as long as the finished ones that outlasted them, else twice their time so far)
    /// and lasts until the plan; otherwise the time per item is twice the time so far (a duration known only to exceed
    /// <c>e</c> has, at the median, as long again to go), and the sampled items are half done.</para>
    /// <para>Each plan's items are forecast from its own measurement, so a re-plan mid-run (the work changed, or the
    /// sample misread a busy machine) forecasts the rest from what auto mode knew then; the engine's start-up counts only
    /// when the engine changes and has items to run.</para>
    /// </remarks>
    public static SpeedupForecast? ForRun(RunReport run, Func<string, int, int, EngineCost>? costOf = null, ForecastSample? sample = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Plans.Count == 0 || run.Plans[0].TimePerItem <= TimeSpan.Zero)
        {
            return null;
        }

        var first = run.Plans[0];
        var n = Math.Max(0, run.Items);
        var machine = sample ?? ForecastSample.FromPlan(first, n);
        var sampled = Math.Min(first.AtItem, n);
        var (t0, fromRunning) = ItemTime(first);
        var atDecision = fromRunning ? SampledAtDecision(run, first) : null;
        if (atDecision is { } seen)
        {
            t0 = seen.Seconds;
        }

        // The sample: measured where the timeline shows when the plan's first batch started; else the sampled items'
        // time at the sample's concurrency (the cores for items that use them, every sampled item for waiting ones).
        // The sample ran the whole job only when it covered every item and the timeline is whole: a run stopped after the
        // plan, or a timeline cut short, also shows no batch after the sample.
        var wholeJob = first.AtItem >= n && !run.TimelineTruncated;
        // A plan from items still running: the sample lasted until the plan was made, when it is known (the first batch
        // after it can start much later, when a worker is free of a long sampled item: a time the plan could not know).
        var sampleWall = first.FromCache ? 0
            : atDecision is not null ? first.DecidedAt!.Value.TotalSeconds
            : SampleWall(run.Timeline, first.AtItem, fromRunning || !wholeJob) ?? EstimatedSampleWall(first, sampled, machine.Cores);

        // A plan from running items leaves its sampled items unfinished: what the sample's batches showed of them when it
        // was made, else half done (t0 is then twice their time so far).
        var leftOver = atDecision?.LeftOver ?? (fromRunning ? sampled / 2.0 : 0);
        var wall = sampleWall;
        var work = sampled * t0;
        SpeedupForecast? last = null;
        string? engine = null;
        for (var k = 0; k < run.Plans.Count; k++)
        {
            var plan = run.Plans[k];
            var (t, _) = k == 0 ? (t0, fromRunning) : ItemTime(plan);
            if (t <= 0)
            {
                t = t0;
            }

            var from = k == 0 ? sampled : Math.Clamp(run.Plans[k].AtItem, sampled, n);
            var to = k + 1 < run.Plans.Count ? Math.Clamp(run.Plans[k + 1].AtItem, from, n) : n;
            // The next plan was made only once the monitor had seen the change: the last items this plan's workers took
            // were already of the next plan's kind.
            var changed = k + 1 < run.Plans.Count ? ItemsBeforeReplanSeen(plan, run.Plans[k + 1], to - from, machine.Cores) : 0;
            var items = (to - from - changed) + (k == 0 ? leftOver : 0);
            work += (to - from - changed) * t;
            var cost = costOf?.Invoke(plan.Engine, plan.DegreeOfParallelism, plan.BatchSize) ?? EngineCost.Default(plan.Engine, plan.DegreeOfParallelism, plan.BatchSize);
            // The engine starts only when it changes and has items to run (a sample that ran the whole job leaves none).
            if (engine == plan.Engine || items + changed <= 0)
            {
                cost = new EngineCost { PerItem = cost.PerItem, Measured = cost.Measured };
            }

            engine = plan.Engine;
            last = Predict(Part(items, t, plan.CpuRatio, k == 0 ? Spread(run.Timeline, plan) : 0), plan.Engine, plan.DegreeOfParallelism, plan.BatchSize, cost);
            wall += last.WallTime.TotalSeconds;
            if (changed > 0)
            {
                var next = run.Plans[k + 1];
                var tNext = ItemTime(next).Seconds;
                work += changed * tNext;
                var detecting = Predict(Part(changed, tNext, next.CpuRatio, 0), plan.Engine, plan.DegreeOfParallelism, plan.BatchSize, new EngineCost { PerItem = cost.PerItem, Measured = cost.Measured });
                wall += detecting.WallTime.TotalSeconds;
            }
        }

        ForecastSample Part(double items, double seconds, double cpuRatio, double spread) => new()
        {
            Items = (long)Math.Ceiling(items),
            TimePerItem = TimeSpan.FromSeconds(seconds),
            CpuRatio = Math.Clamp(cpuRatio, 0, 1),
            Spread = spread,
            RunQueueShare = machine.RunQueueShare,
            SampleWorkers = machine.SampleWorkers,
            OtherLoad = machine.OtherLoad,
            OtherGroups = machine.OtherGroups,
            SerialFraction = machine.SerialFraction,
            Cores = machine.Cores,
        };

        return new SpeedupForecast
        {
            Engine = last!.Engine,
            DegreeOfParallelism = last.DegreeOfParallelism,
            Speedup = wall > 0 && work > 0 ? work / wall : 1,
            WallTime = TimeSpan.FromSeconds(wall),
            CoreShare = last.CoreShare,
            LimitedBy = sampleWall <= 0.5 * wall ? last.LimitedBy : SampleLimit(sampleWall, machine.RunQueueShare, last.LimitedBy),
        };
    }

    // What limits a run whose sample is most of its wall: the start-up, unless the sample spent more of its time waiting
    // for a core (its run-queue share) than working: then the cores the run waited for (lib57).
    private static string SampleLimit(double sampleWall, double runQueueShare, string afterSample)
    {
        var waited = sampleWall * Math.Clamp(runQueueShare, 0, 1);
        return sampleWall - waited >= waited ? "start-up"
            : afterSample is "cores" ? afterSample
            : "a busy machine";
    }

    /// <summary>
    /// What the sample's batches showed when a plan from items still running was made (at its
    /// <see cref="AutoPlan.DecidedAt"/>): items that had finished, with their time, and items still running, known only
    /// to take longer than their time so far <c>e</c> (censored, in survival analysis's terms). The items' distribution
    /// is the Kaplan–Meier estimate from them: mass only at the finished items' times, and what is left beyond the
    /// longest time seen <c>L</c> (when that is an item still running) placed at <c>2L</c>, the median of a duration known
    /// only to exceed <c>L</c>. A running item is expected to last the mean of that distribution beyond its <c>e</c>:
    /// as long as the finished items that outlasted it, or <c>2L</c> when none did. A batch of <c>c</c> items still
    /// running after <c>e</c> counts as <c>c</c> items of at least <c>e / c</c> each (their mean is at least that).
    /// </summary>
    /// <returns>The time per item over the sampled items, and the work left of them when the plan was made, in items of
    /// that time (items taken but not started count whole); null when the plan's time or the sample's batches are not known.</returns>
    internal static (double Seconds, double LeftOver)? SampledAtDecision(RunReport run, AutoPlan plan)
    {
        if (!plan.FromRunningItems || plan.DecidedAt is not { } at || run.TimelineTruncated)
        {
            return null;
        }

        var seen = new List<(double Time, bool Finished, int Count)>();
        var notStarted = 0;
        foreach (var e in run.Timeline)
        {
            if (e.FirstIndex >= plan.AtItem || e.Count <= 0)
            {
                continue;
            }

            if (e.Start >= at)
            {
                notStarted += e.Count;
            }
            else
            {
                var finished = e.End <= at;
                seen.Add(((finished ? e.Duration : at - e.Start).TotalSeconds / e.Count, finished, e.Count));
            }
        }

        if (seen.Count == 0)
        {
            return null;
        }

        // Kaplan–Meier: at each finished item's time, the share still running drops by the finished over those at risk
        // (items seen to last at least that long); an item still running leaves the risk set at its time so far.
        seen.Sort(static (x, y) => x.Time != y.Time ? x.Time.CompareTo(y.Time) : y.Finished.CompareTo(x.Finished));
        var atoms = new List<(double Time, double Mass)>();
        double survival = 1, atRisk = seen.Sum(static x => x.Count);
        foreach (var (time, finished, count) in seen)
        {
            if (finished)
            {
                var mass = survival * count / atRisk;
                atoms.Add((time, mass));
                survival -= mass;
            }

            atRisk -= count;
        }

        if (survival > 1e-12)
        {
            atoms.Add((2 * seen[^1].Time, survival));
        }

        double total = 0, left = 0, items = 0;
        foreach (var (time, finished, count) in seen)
        {
            var expected = time;
            if (!finished)
            {
                double mass = 0, sum = 0;
                foreach (var (a, p) in atoms)
                {
                    if (a > time)
                    {
                        (mass, sum) = (mass + p, sum + (a * p));
                    }
                }

                expected = mass > 0 ? sum / mass : 2 * time;
                left += (expected - time) * count;
            }

            total += expected * count;
            items += count;
        }

        var t = total / items;
        return t > 0 ? (t, (left / t) + notStarted) : null;
    }

    /// <summary>How long auto mode's monitor takes to see that the work changed under a running plan: two monitor ticks
    /// (<see cref="AutoTuning.MinWindowTicks"/> × <see cref="AutoTuning.MonitorTick"/>). A re-plan needs two windows in a row
    /// that disagree with the plan, each judged at a tick, or, for items of a CPU plan that started waiting, two ticks in a
    /// row that see every running batch waiting (AutoMonitor).</summary>
    internal static TimeSpan ReplanDelay => AutoTuning.MinWindowTicks * AutoTuning.MonitorTick;

    /// <summary>
    /// How many of a plan's last items were already of the next plan's kind: those its workers took while the monitor
    /// saw the change (<see cref="ReplanDelay"/>), each lasting the next plan's time per item, so many at once as the plan
    /// runs such items (its width for items that wait, at most the cores for items that compute). At most the plan's items.
    /// </summary>
    internal static double ItemsBeforeReplanSeen(AutoPlan plan, AutoPlan next, double planItems, int cores)
    {
        var t = ItemTime(next).Seconds;
        if (t <= 0 || planItems <= 0)
        {
            return 0;
        }

        var width = plan.Engine == "sequential" ? 1 : Math.Max(1, plan.DegreeOfParallelism);
        var concurrent = next.CpuRatio >= 0.5 ? Math.Min(width, Math.Max(1, cores)) : width;
        return Math.Min(planItems, Math.Round(concurrent * ReplanDelay.TotalSeconds / t));
    }

    // A plan's time per item, and whether it is a lower bound doubled (items still running).
    internal static (double Seconds, bool FromRunning) ItemTime(AutoPlan plan)
    {
        var t = Math.Max(0, plan.TimePerItem.TotalSeconds);
        var running = plan.FromRunningItems;
        return (running ? 2 * t : t, running);
    }

    // When the first batch after the sample started: the sample's wall time. When no batch followed it (the sample ran the
    // whole job, as for a job too small to parallelize), when its last batch ended: the plan was made after that, so it is
    // known then (an estimate from the time per item leaves out what the sample cost beyond the items: its batches'
    // measurement, the decision); not for a plan from items still running, whose batches ended after it. Null when the
    // timeline has neither.
    private static double? SampleWall(IReadOnlyList<TimelineEvent> timeline, long atItem, bool notWhenNoBatchFollowed)
    {
        TimeSpan? start = null;
        TimeSpan? sampledEnd = null;
        foreach (var e in timeline)
        {
            if (e.FirstIndex >= atItem && (start is null || e.Start < start))
            {
                start = e.Start;
            }
            else if (e.FirstIndex < atItem && (sampledEnd is null || e.End > sampledEnd))
            {
                sampledEnd = e.End;
            }
        }

        return (start ?? (notWhenNoBatchFollowed ? null : sampledEnd))?.TotalSeconds;
    }

    private static double EstimatedSampleWall(AutoPlan plan, long sampled, int cores)
    {
        var overlap = plan.CpuRatio < 0.2 ? Math.Max(1, sampled) : Math.Max(1, Math.Min(cores, plan.DegreeOfParallelism));
        return plan.TimePerItem.TotalSeconds * Math.Ceiling(sampled / (double)overlap);
    }

    /// <summary>
    /// The items' spread from the batches the sample ran (those that started before the plan): the coefficient of
    /// variation of their time per item, scaled up by the square root of their size (a batch of b items varies √b
    /// times less than one item). CPU time where the work is mostly CPU, so that a busy machine's run-queue waits
    /// do not read as a spread of the items.
    /// </summary>
    internal static double Spread(IReadOnlyList<TimelineEvent> timeline, AutoPlan plan)
    {
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
}
