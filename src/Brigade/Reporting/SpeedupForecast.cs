using System.Globalization;

namespace Brigade.Reporting;

/// <summary>
/// The speedup a job should reach on an engine and width, forecast from a sample of its items before the full run, in
/// the same terms as <see cref="RunLosses.Speedup"/> measures it afterwards: the time one worker needs for the items on
/// an idle machine, divided by the run's wall time.
/// </summary>
/// <remarks>
/// <para>The model (see docs/performance.md, "Forecast"): each item takes <c>t</c>, a share <c>r</c> of it on a CPU, plus the
/// engine's cost per item (<see cref="EngineCost"/>), all CPU. The machine's other load <c>L</c> (runnable threads) comes
/// from the run-queue share the sample measured (its threads got <c>1 − q</c> of a core, so
/// <c>L = cores / (1 − q) − the sample's own demand</c>) or from the machine's runnable threads, whichever is larger
/// (<see cref="ForecastSample.OtherLoad"/>); where the scheduler shares the cores between sessions first (Linux's
/// autogroup), the job's session gets an equal part beside the other sessions with threads ready to run
/// (<see cref="ForecastSample.OtherGroups"/>), at most what it wants. With <c>w</c> workers the job's threads want <c>D</c> cores and each
/// gets <c>a = min(1, cores / (L + D))</c> of one (a fair share, the Linux scheduler's aim), so an item lasts
/// <c>t(1 − r) + (t·r + overhead) / a</c>; solved as a fixed point, since <c>D</c> depends on <c>a</c>. That gives the
/// concurrency <c>n</c>, to which Amdahl's law applies the serial fraction <c>s</c> (time inside a global lock):
/// <c>1 / (s + (1 − s) / n)</c>. Whole batches bound it from below (8 items on 2 workers take 4 item times, not 3.5+);
/// the items' spread adds a tail where the others sit idle; the engine's start-up (half of it with several workers,
/// which start one after another) and auto mode's sampling add their time. A job shorter than a few milliseconds
/// runs as on an idle machine whatever the load: the scheduler lets a thread that just woke run first.</para>
/// <para>Everything is a pure function of the inputs, so it is tested on synthetic samples.</para>
/// </remarks>
public sealed partial class SpeedupForecast
{
    private SpeedupForecast()
    {
    }

    /// <summary>Gets the engine the forecast is for, such as <c>threadpool</c>.</summary>
    public required string Engine { get; init; }

    /// <summary>Gets the width the forecast is for.</summary>
    public int DegreeOfParallelism { get; init; }

    /// <summary>Gets the forecast speedup: the items' time on one worker of an idle machine over the forecast wall time.</summary>
    public double Speedup { get; init; }

    /// <summary>Gets the forecast wall time of the whole job.</summary>
    public TimeSpan WallTime { get; init; }

    /// <summary>Gets the share of a core each of the job's threads is expected to get (1 on an idle machine with enough cores).</summary>
    public double CoreShare { get; init; }

    /// <summary>Gets what bounds the forecast most, in a few words: <c>cores</c>, <c>width</c>, <c>a busy machine</c>, <c>serial fraction</c>, <c>too few items</c>, <c>per-item overhead</c>, <c>stragglers</c> or <c>start-up</c>.</summary>
    public required string LimitedBy { get; init; }

    /// <summary>Gets the speedup one worker would reach under the same load, beside a parallel plan's forecast limited by a
    /// busy machine (null otherwise): the forecast is against one worker on an idle machine, so "forecast speedup 0.5
    /// (limited by a busy machine)" alone read as if running in parallel made the job slower (review 55).</summary>
    internal double? SequentialSpeedup { get; init; }

    /// <summary>Forecasts the speedup of a job on an engine.</summary>
    /// <param name="sample">What the sample measured.</param>
    /// <param name="engine">The engine's name: <c>sequential</c>, <c>threadpool</c>, <c>threads</c>, <c>async</c>, or an isolated engine's.</param>
    /// <param name="width">Its width (items in flight, for <c>async</c>); 1 for <c>sequential</c> whatever is given.</param>
    /// <param name="batchSize">Its batch size.</param>
    /// <param name="cost">What the engine costs beyond the items; <see cref="EngineCost.Default"/> when null.</param>
    /// <returns>The forecast.</returns>
    public static SpeedupForecast Predict(ForecastSample sample, string engine, int width, int batchSize, EngineCost? cost = null)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(engine);
        var w = engine == "sequential" ? 1 : Math.Max(1, width);
        var b = Math.Max(1, batchSize);
        cost ??= EngineCost.Default(engine, w, b);
        var cores = Math.Max(1, sample.Cores);
        var n = Math.Max(0, sample.Items);
        var t = Math.Max(0, sample.TimePerItem.TotalSeconds);
        var r = Math.Clamp(sample.CpuRatio, 0, 1);
        var s = Math.Clamp(sample.SerialFraction, 0, 1);
        var overhead = Math.Max(0, cost.PerItem.TotalSeconds);
        // Workers start one after another: the first works while the last starts, so a parallel run loses about half
        // of the engine's start-up (a sequential one all of it).
        var startUp = (Math.Max(0, cost.StartUp.TotalSeconds) * (w > 1 ? 0.5 : 1)) + Math.Max(0, sample.Sampling.TotalSeconds);
        if (n == 0 || t + overhead <= 0)
        {
            return new SpeedupForecast { Engine = engine, DegreeOfParallelism = w, Speedup = 1, WallTime = TimeSpan.FromSeconds(startUp), CoreShare = 1, LimitedBy = "start-up" };
        }

        var batches = (n + b - 1) / b;
        var active = (int)Math.Min(w, batches);
        var cpu = (t * r) + overhead;
        var wait = t * (1 - r);
        var load = OtherLoad(sample, cores, t, r);

        var groups = sample.OtherGroups;
        var inGroup = groups is null ? 0 : GroupLoad(sample, cores, groups, t, r);
        var a = ShareOfACore(cores, load, groups, inGroup, active, cpu, wait);
        var (body, itemTime, concurrency, amdahl, flow, granular, rounds) = Body(a);
        if (load > 0 || groups is { Count: > 0 })
        {
            // A thread that just woke runs first: the scheduler lets it run a few milliseconds before the fair share
            // applies (the sample's own run-queue share reads near 0 on a busy machine for that reason). So a job
            // that short runs as on an idle machine, and a longer one only pays the busy machine's rate after that.
            var idle = Body(ShareOfACore(cores, 0, null, 0, active, cpu, wait)).Body;
            var grace = WakeUpGrace.TotalSeconds;
            body = idle <= grace ? idle : grace + ((idle - grace) * body / idle);
        }

        var batchTime = b * itemTime;

        // Stragglers: the workers finish their last batches at different times; the others sit idle meanwhile.
        var tail = 0.0;
        if (active > 1 && sample.Spread > 0.05)
        {
            var sigma = sample.Spread * itemTime * Math.Sqrt(b);
            var spread = Math.Max(rounds > 2 ? 0.5 * batchTime : 0, sigma * Math.Sqrt(2 * Math.Log(active)));
            tail = spread * (active - 1) / active;
        }

        var wall = body + tail + startUp;
        var speedup = n * t / wall;

        // The sample's wall is in the start-up, but a sample on a busy machine spent most of it waiting for a core (its
        // run-queue share): that part is the machine's loss, not the start-up's (lib57: a Parallel.For body read "limited
        // by start-up" while 99% of the time was waiting for a core). Start-up is named only when it is the larger loss.
        var sampling = Math.Max(0, sample.Sampling.TotalSeconds);
        var queued = Math.Clamp(sample.RunQueueShare, 0, 1);
        var startUpLoss = startUp - (sampling * queued);
        var waitLoss = Math.Max(0, body - Body(1).Body) + (sampling * queued);
        string limit;
        if (startUp > 0.5 * wall && startUpLoss >= waitLoss)
        {
            limit = "start-up";
        }
        else if (startUp > 0.5 * wall)
        {
            limit = (groups is null ? load : groups.Sum() + inGroup) > active * Wanting(cpu, wait, a) ? "a busy machine" : "cores";
        }
        else if (s > 0 && amdahl < 0.8 * concurrency)
        {
            limit = "serial fraction";
        }
        else if (active < w && rounds <= 1)
        {
            limit = "too few items";
        }
        else if (overhead > t)
        {
            limit = "per-item overhead";
        }
        else if (a < 0.9)
        {
            limit = (groups is null ? load : groups.Sum() + inGroup) > active * Wanting(cpu, wait, a) ? "a busy machine" : "cores";
        }
        else if (tail > 0.2 * body || granular > 1.2 * flow)
        {
            limit = "stragglers";
        }
        else
        {
            limit = "width";
        }

        // The job's body at a share a of a core per wanting thread: the flow of items (Amdahl's law on the concurrency),
        // bounded below by whole batches (the last round runs as many batches as are left, however many workers wait).
        (double Body, double ItemTime, double Concurrency, double Amdahl, double Flow, double Granular, long Rounds) Body(double share)
        {
            var item = wait + (cpu / share);
            var conc = active * t / item;
            var law = s > 0 ? 1 / (s + ((1 - s) / Math.Max(1e-9, conc))) : conc;
            var f = n * t / Math.Max(1e-12, Math.Min(law, conc));
            var r = (batches + active - 1) / active;
            var lastRound = batches - ((r - 1) * active);
            var lastBatch = n - ((batches - 1) * b);
            var g = ((r - 1) * b * item) + ((lastRound == 1 ? lastBatch : b) * item);
            return (Math.Max(f, s > 0 ? f : g), item, conc, law, f, g, r);
        }

        return new SpeedupForecast
        {
            Engine = engine,
            DegreeOfParallelism = w,
            Speedup = speedup,
            WallTime = TimeSpan.FromSeconds(wall),
            CoreShare = a,
            LimitedBy = limit,
        };
    }

    /// <summary>Forecasts auto mode's plan from the sample behind it, with the engine's assumed costs (<see cref="EngineCost.Default"/>).</summary>
    /// <param name="plan">The plan (a run's first is made from its sample).</param>
    /// <param name="items">The number of items in the job.</param>
    /// <returns>The forecast for the plan's engine, width and batch size.</returns>
    /// <param name="readGroups">Whether a job forecast to last a second or more reads the scheduler's session groups
    /// (<see cref="MachineLoad.OtherGroups(int, int, TimeSpan)"/>: every other process's threads, five times).</param>
    /// <param name="otherLoad">The machine's other runnable threads; read now when null (0: an idle machine).</param>
    internal static SpeedupForecast ForPlan(Auto.AutoPlan plan, long items, bool readGroups = true, double? otherLoad = null)
    {
        // A job shorter than the wake-up grace runs as on an idle machine, so the machine is only read (a read of
        // /proc/stat, tens of microseconds) for longer ones: a run of a fraction of a millisecond does not pay for it.
        var idle = ForPlan(plan, items, ForecastSample.FromPlan(plan, items, otherLoad: 0));
        return idle.WallTime <= WakeUpGrace || otherLoad == 0 ? idle
            : ForPlan(plan, items, ForecastSample.FromPlan(plan, items, otherLoad: otherLoad, readGroups: readGroups && idle.WallTime >= TimeSpan.FromSeconds(1)));
    }

    internal static SpeedupForecast ForPlan(Auto.AutoPlan plan, long items, ForecastSample sample)
    {
        // The sample ran before the plan did: its items count in the job and its time in the wall. A plan from items
        // still running has a lower bound for their time: twice it, and the sampled items half done (see ForRun).
        var sampled = Math.Min(plan.AtItem, items);
        var (t, fromRunning) = ItemTime(plan);
        var sampling = plan.FromCache ? 0 : EstimatedSampleWall(plan, sampled, sample.Cores);
        sample = new ForecastSample
        {
            Items = sample.Items - sampled + (fromRunning ? (sampled + 1) / 2 : 0),
            TimePerItem = TimeSpan.FromSeconds(t),
            CpuRatio = sample.CpuRatio,
            RunQueueShare = sample.RunQueueShare,
            SampleWorkers = sample.SampleWorkers,
            Cores = sample.Cores,
            OtherLoad = sample.OtherLoad,
            OtherGroups = sample.OtherGroups,
            Sampling = TimeSpan.FromSeconds(sampling),
        };
        var forecast = Predict(sample, plan.Engine, plan.DegreeOfParallelism, plan.BatchSize);

        // Over the whole job: the sampled items took their time too.
        var whole = items * t;
        double WholeSpeedup(SpeedupForecast f) => f.WallTime > TimeSpan.Zero && whole > 0 ? whole / f.WallTime.TotalSeconds : f.Speedup;

        // Limited by a busy machine, a parallel plan's speedup can read below 1 (it is against an idle machine's one
        // worker): one worker under the same load goes beside it, so that the note says what the plan is compared with.
        double? sequential = forecast.LimitedBy == "a busy machine" && forecast.DegreeOfParallelism > 1
            ? WholeSpeedup(Predict(sample, "sequential", 1, plan.BatchSize))
            : null;
        return new SpeedupForecast
        {
            Engine = forecast.Engine,
            DegreeOfParallelism = forecast.DegreeOfParallelism,
            Speedup = WholeSpeedup(forecast),
            WallTime = forecast.WallTime,
            CoreShare = forecast.CoreShare,
            LimitedBy = forecast.LimitedBy,
            SequentialSpeedup = sequential,
        };
    }

    // The forecast a run's report shows (RunLosses.Forecast): the whole run from its plans, with the serial fraction the
    // sample's timed plain-lock waits show (ForecastSample.SampleSerialFraction, when serialFraction is null; 0 when they
    // were not timed); the machine is read only for a run longer than the wake-up grace.
    internal static SpeedupForecast? ForReport(RunReport report, double? serialFraction = null)
    {
        if (report.Plans.Count == 0 || report.Plans[0].TimePerItem <= TimeSpan.Zero)
        {
            return null;
        }

        var serial = serialFraction ?? ForecastSample.SampleSerialFraction(report, report.Plans[0]);
        var idle = ForRun(report, sample: ForecastSample.FromPlan(report.Plans[0], report.Items, otherLoad: 0).WithSerialFraction(serial));
        return idle is null || idle.WallTime <= WakeUpGrace ? idle
            : ForRun(report, sample: ForecastSample.FromPlan(report.Plans[0], report.Items, readGroups: idle.WallTime >= TimeSpan.FromSeconds(1)).WithSerialFraction(serial));
    }

    /// <summary>The note auto mode's plan line ends with: <c>; forecast speedup 1.9 (limited by cores)</c>.</summary>
    /// <param name="plan">The run's first plan.</param>
    /// <param name="items">The number of items in the job.</param>
    /// <returns>The note, empty when the plan holds no measurement.</returns>
    internal static string PlanNote(Auto.AutoPlan plan, long items) => Note(PlanForecast(plan, items));

    /// <summary>The forecast behind <see cref="PlanNote(Auto.AutoPlan, long)"/>, or null when the plan holds no measurement.</summary>
    /// <param name="plan">The run's first plan.</param>
    /// <param name="items">The number of items in the job.</param>
    /// <returns>The forecast.</returns>
    internal static SpeedupForecast? PlanForecast(Auto.AutoPlan plan, long items) =>
        plan.TimePerItem <= TimeSpan.Zero || items <= 0 ? null : ForPlan(plan, items);

    /// <summary>The note auto mode's plan line ends with for a run's plans so far (see
    /// <see cref="PlanForecast(IReadOnlyList{Auto.AutoPlan}, long, double?)"/>).</summary>
    /// <param name="plans">The run's plans, first to last.</param>
    /// <param name="items">The number of items in the job.</param>
    /// <param name="otherLoad">The machine's other runnable threads; read now when null.</param>
    /// <returns>The note, empty when the first plan holds no measurement.</returns>
    internal static string PlanNote(IReadOnlyList<Auto.AutoPlan> plans, long items, double? otherLoad = null) => Note(PlanForecast(plans, items, otherLoad));

    /// <summary>The forecast auto mode's plan line ends with: that of the plan it is printed with (the last), or null when
    /// the first plan holds no measurement. Made at once, on the run's return path.</summary>
    /// <remarks>
    /// <para>The machine is read as <see cref="ForPlan(Auto.AutoPlan, long, bool, double?)"/> reads it (not at all for a job
    /// forecast within <see cref="WakeUpGrace"/>), except for the scheduler's session groups: reading every other process's
    /// threads five times, 5 ms apart, took a second on a busy machine with hundreds of threads, between the run's last item
    /// and its return (autotail69: 0.4–1.2 s at load ~80). The machine's runnable threads (one read of /proc/stat) stand for
    /// it; the report's <see cref="RunLosses.Forecast"/>, made when read, still reads the groups.</para>
    /// <para>After a re-plan, the last plan over the items it was left with, from its own measurement (no sample before it):
    /// the whole run's forecast, most of it an earlier plan's, read "ThreadPool ×1 … one worker, not 2 … forecast speedup
    /// 1.98" (autotail69), a speedup no plan of one worker can have.</para>
    /// </remarks>
    /// <param name="plans">The run's plans, first to last.</param>
    /// <param name="items">The number of items in the job.</param>
    /// <param name="otherLoad">The machine's other runnable threads; read now when null (0: an idle machine).</param>
    /// <returns>The forecast.</returns>
    internal static SpeedupForecast? PlanForecast(IReadOnlyList<Auto.AutoPlan> plans, long items, double? otherLoad = null)
    {
        if (plans.Count == 0 || plans[0].TimePerItem <= TimeSpan.Zero || items <= 0)
        {
            return null;
        }

        var plan = plans[^1];
        if (plans.Count > 1)
        {
            if (plan.TimePerItem <= TimeSpan.Zero)
            {
                return null;
            }

            items = Math.Max(1, items - Math.Min(plan.AtItem, items));
            plan = plan.FromItsOwnStart();
        }

        return ForPlan(plan, items, readGroups: false, otherLoad);
    }

    /// <summary>The note a plan line ends with for a forecast: <c>; forecast speedup 1.9 (limited by cores)</c>, empty for none.</summary>
    /// <param name="forecast">The forecast, or null.</param>
    /// <returns>The note.</returns>
    internal static string Note(SpeedupForecast? forecast) =>
        forecast is null ? ""
        : forecast.SequentialSpeedup is { } sequential
            ? string.Create(CultureInfo.InvariantCulture, $"; forecast speedup {forecast.Speedup:0.0#} (limited by {forecast.LimitedBy}; one worker under the same load: {sequential:0.0#})")
            : string.Create(CultureInfo.InvariantCulture, $"; forecast speedup {forecast.Speedup:0.0#} (limited by {forecast.LimitedBy})");

    /// <summary>Returns the forecast in a few words, such as <c>forecast speedup 1.9 (threadpool ×2, limited by cores)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"forecast speedup {Speedup:0.0#} ({Engine} ×{DegreeOfParallelism}, limited by {LimitedBy})");

    /// <summary>How long a thread that just woke runs before a busy machine's fair share applies to it (an assumption:
    /// the order of the Linux scheduler's latency target; the tests and docs/performance.md say what it changes).</summary>
    internal static readonly TimeSpan WakeUpGrace = TimeSpan.FromMilliseconds(5);

    // The share of a core each of the job's wanting threads gets: a fixed point of a = share(demand(a)), where the share
    // is the threads' fair part of the cores beside the other load, or, when the scheduler shares the cores between
    // groups first, the job's group's part (water-filling: every group gets the same, at most what it wants) over its
    // threads and the other runnable threads of its own group (inGroup).
    private static double ShareOfACore(int cores, double load, IReadOnlyList<double>? groups, double inGroup, int active, double cpu, double wait)
    {
        var a = 1.0;
        for (var i = 0; i < 200; i++)
        {
            var demand = active * Wanting(cpu, wait, a);
            if (demand <= 1e-12)
            {
                return 1; // items that want no core are denied none
            }

            var next = groups is null
                ? Math.Min(1, cores / Math.Max(1e-9, load + demand))
                : Math.Min(1, GroupCores(cores, groups, demand + inGroup) / Math.Max(1e-9, demand + inGroup));
            if (Math.Abs(next - a) < 1e-9)
            {
                break;
            }

            a = (a + next) / 2;
        }

        return a;
    }

    // The cores the job's group gets beside the other groups: the level at which every group's min(want, level) fills the cores.
    private static double GroupCores(int cores, IReadOnlyList<double> groups, double demand)
    {
        if (groups.Sum() + demand <= cores)
        {
            return demand;
        }

        double low = 0, high = cores;
        for (var i = 0; i < 60; i++)
        {
            var level = (low + high) / 2;
            var used = Math.Min(demand, level) + groups.Sum(g => Math.Min(g, level));
            (low, high) = used > cores ? (low, level) : (level, high);
        }

        return Math.Min(demand, low);
    }

    // The share of an item's time its thread wants a core, when it gets a share a of one.
    private static double Wanting(double cpu, double wait, double a)
    {
        var onCpu = cpu / a;
        return onCpu + wait > 0 ? onCpu / (onCpu + wait) : 0;
    }

    // Where the scheduler shares the cores between groups first, the runnable threads of the job's own group besides its
    // own (other processes of the same session: a build or `yes` started from the same terminal), which the other groups'
    // reading leaves out: the load that explains the share of a core the sample's threads did not get (its run-queue
    // share; on worker processes, the workers' own waits, protocol 7) beyond what the other groups explain. Review 66:
    // CPU-bound work on worker processes beside 8 `yes` of the same session, 97% of the workers' time waiting for a core,
    // was forecast 0.38 (limited by a busy machine) against 0.05 measured: the other groups alone explained none of it.
    // Review 67: the sample's run-queue share misses that load when the sample is short and in-process: the scheduler lets
    // its freshly woken threads run first, and cpu-loop's sample beside 8 `yes` of its own session read a contention of
    // 0.000 (twice in three; 0.34 once, less than the other sessions explained), so below the 0.02 threshold (or under the
    // other sessions' share) nothing was inferred and the forecast read 0.34-0.43 against 0.04 measured. The machine's count
    // of runnable threads saw them: what no other group holds is the job's own group's (CountedGroupLoad); the larger of the
    // two readings counts.
    private static double GroupLoad(ForecastSample sample, int cores, IReadOnlyList<double> groups, double t, double r)
    {
        var counted = CountedGroupLoad(sample, cores, groups);
        var q = Math.Clamp(sample.RunQueueShare, 0, 0.99);
        if (q < 0.02)
        {
            return counted;
        }

        var got = 1 - q;
        var demand = Math.Max(1, sample.SampleWorkers) * Wanting(t * r, t * (1 - r), got);
        double Share(double inGroup) => Math.Min(1, GroupCores(cores, groups, demand + inGroup) / Math.Max(1e-9, demand + inGroup));
        if (demand <= 1e-12 || Share(0) <= got)
        {
            return counted;
        }

        // The share falls as the group's other threads grow: the load at which it is what the sample got.
        double low = 0, high = Math.Max(1, cores / got);
        for (var i = 0; i < 60; i++)
        {
            var mid = (low + high) / 2;
            (low, high) = Share(mid) > got ? (mid, high) : (low, mid);
        }

        return Math.Max(counted, (low + high) / 2);
    }

    // The machine's runnable threads (ForecastSample.OtherLoad: procs_running, this process's other threads included) that
    // the other groups do not hold: the job's own group's. Only where no other group reads saturated: a group's count stops
    // at the cores (MachineLoad), so the threads beyond may be a busy session's, which take nothing more from the job's
    // group (its share is fixed by the number of groups), and nothing is inferred then. The count is an instant's, the
    // groups' an average of five readings: a thread of the job's own (a sample worker still running when the plan read it)
    // can count here, as it does in OtherLoad where the scheduler shares the cores between threads.
    private static double CountedGroupLoad(ForecastSample sample, int cores, IReadOnlyList<double> groups)
    {
        if (sample.OtherLoad is not { } machine || groups.Any(g => g >= cores - 0.25))
        {
            return 0;
        }

        return Math.Max(0, machine - groups.Sum());
    }

    // The machine's other runnable threads, from the share of a core the sample's threads did not get.
    private static double OtherLoad(ForecastSample sample, int cores, double t, double r)
    {
        var measured = Math.Max(0, sample.OtherLoad ?? 0);
        var q = Math.Clamp(sample.RunQueueShare, 0, 0.99);
        if (q < 0.02)
        {
            return measured;
        }

        var a = 1 - q;
        var demand = Math.Max(1, sample.SampleWorkers) * Wanting(t * r, t * (1 - r), a);
        return Math.Max(measured, (cores / a) - demand);
    }
}
