using Brigade.Auto;

namespace Brigade.Reporting;

/// <summary>What a sample of a job's items measured, as <see cref="SpeedupForecast.Predict"/> needs it: the job's size, the
/// cost of one item and its spread, how much of it is CPU, and what the machine and locks took from it.</summary>
/// <remarks>Built from auto mode's first plan with <see cref="FromPlan"/>, or by hand (tests, other samplers).</remarks>
public sealed class ForecastSample
{
    /// <summary>Gets the number of items in the whole job.</summary>
    public long Items { get; init; }

    /// <summary>Gets the time one item takes on its own on an idle machine: wall time less waits for a core.</summary>
    public TimeSpan TimePerItem { get; init; }

    /// <summary>Gets the spread of the items' times: their standard deviation over their mean (0 when every item costs the same).</summary>
    public double Spread { get; init; }

    /// <summary>Gets the share of an item's own time spent on a CPU (0 to 1); the rest is waiting that holds no core (I/O, sleeps).</summary>
    public double CpuRatio { get; init; } = 1;

    /// <summary>Gets the share of the time the sample's threads wanted a core and waited for one in the run queue (0 to 1): other threads or processes on the machine.</summary>
    public double RunQueueShare { get; init; }

    /// <summary>Gets how many of the job's threads ran while the sample was measured (the run queue share is relative to them).</summary>
    public int SampleWorkers { get; init; } = 1;

    /// <summary>Gets the machine's other runnable threads (other processes, or the program's other work), when measured
    /// apart from <see cref="RunQueueShare"/>; the forecast takes the larger of the two readings.</summary>
    /// <remarks>A sample's own run-queue share reads low on a busy machine: the scheduler lets threads that just woke up
    /// run first, and a sample lasts milliseconds. The machine's count of runnable threads (Linux)
    /// does not have that bias, nor does the count of runnable threads; <see cref="FromPlan"/> reads the latter.</remarks>
    public double? OtherLoad { get; init; }

    /// <summary>Gets, when the scheduler shares the cores between groups of threads first (Linux's autogroup: one group per
    /// session), how many threads each other group has ready to run (at most the cores each); null when it shares the
    /// cores between threads, and then <see cref="OtherLoad"/> counts.</summary>
    /// <remarks>On such a machine a busy neighbour session gets its share however many threads it runs, and so does the
    /// job: its width buys it no more of the machine than the other groups leave.</remarks>
    public IReadOnlyList<double>? OtherGroups { get; init; }

    /// <summary>Gets Amdahl's serial fraction: the share of an item's time that runs one at a time whatever the width (inside a global lock), 0 to 1.</summary>
    public double SerialFraction { get; init; }

    /// <summary>Gets the number of cores.</summary>
    public int Cores { get; init; } = 1;

    /// <summary>Gets the time spent before the measured items' plan could start (auto mode's sample), which the job's wall time includes.</summary>
    public TimeSpan Sampling { get; init; }

    /// <summary>Builds a sample from auto mode's plan, which holds what its sample measured.</summary>
    /// <param name="plan">Auto mode's plan (the first of a run is made from the sample).</param>
    /// <param name="items">The number of items in the whole job.</param>
    /// <param name="cores">The cores of the machine; <see cref="Environment.ProcessorCount"/> when null.</param>
    /// <param name="otherLoad">The machine's other runnable threads; when null, those running or ready to run when this is called (Linux).</param>
    /// <returns>The sample; its spread and serial fraction are 0 (auto mode's sample does not measure them).</returns>
    /// <param name="readGroups">Whether to read the other scheduling groups (<see cref="OtherGroups"/>; milliseconds) when <paramref name="otherLoad"/> is null.</param>
    public static ForecastSample FromPlan(AutoPlan plan, long items, int? cores = null, double? otherLoad = null, bool readGroups = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var c = Math.Max(1, cores ?? Environment.ProcessorCount);

        // The plan's contention is run-queue wait over the measured wall time (wait included); per item that is
        // contention / (1 - contention) × the item's own time. Against the time the threads wanted a core (their CPU
        // time plus that wait) it is the share of a core they did not get.
        var contention = Math.Clamp(plan.Contention, 0, 0.99);
        var runQueue = contention / (1 - contention) * plan.TimePerItem.TotalSeconds;
        var cpu = plan.CpuTimePerItem.TotalSeconds;
        // Items that hardly use a CPU (waiting items) say nothing about the machine: a microsecond's wait over a
        // microsecond's CPU would read as half the cores gone.
        var share = runQueue + cpu > 0 && plan.CpuRatio >= 0.2 ? runQueue / (runQueue + cpu) : 0;
        return new ForecastSample
        {
            Items = Math.Max(0, items),
            TimePerItem = plan.TimePerItem,
            CpuRatio = Math.Clamp(plan.CpuRatio, 0, 1),
            RunQueueShare = share,
            SampleWorkers = c,
            Cores = c,
            OtherLoad = otherLoad ?? MachineLoad.RunnableNow(),
            OtherGroups = otherLoad is null && readGroups ? MachineLoad.OtherGroups(c, reads: 5, TimeSpan.FromMilliseconds(5)) : null,
        };
    }

    /// <summary>Builds the sample behind an auto-mode run's first plan, with the spread of the sampled batches' item times
    /// (read from the run's timeline) and the machine's load read now. A plan decided from items still running has only a
    /// lower bound of their time: the sample's time per item is then read from what its batches showed when the plan was
    /// made, or twice the time so far (see <see cref="SpeedupForecast.ForRun"/>).</summary>
    /// <param name="run">A run auto mode planned.</param>
    /// <param name="readGroups">Whether to read the other scheduling groups (<see cref="OtherGroups"/>; milliseconds).</param>
    /// <returns>The sample, or null when the run has no plan with a measurement.</returns>
    public static ForecastSample? FromRun(RunReport run, bool readGroups = false)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Plans.Count == 0 || run.Plans[0].TimePerItem <= TimeSpan.Zero)
        {
            return null;
        }

        var plan = run.Plans[0];
        var s = FromPlan(plan, run.Items, readGroups: readGroups);
        return new ForecastSample
        {
            Items = s.Items,
            TimePerItem = TimeSpan.FromSeconds(SpeedupForecast.SampledAtDecision(run, plan)?.Seconds ?? SpeedupForecast.ItemTime(plan).Seconds),
            Spread = SpeedupForecast.Spread(run.Timeline, plan),
            CpuRatio = s.CpuRatio,
            RunQueueShare = s.RunQueueShare,
            SampleWorkers = s.SampleWorkers,
            OtherLoad = s.OtherLoad,
            OtherGroups = s.OtherGroups,
            SerialFraction = SampleSerialFraction(run, plan),
            Cores = s.Cores,
        };
    }

    // This sample with another serial fraction.
    internal ForecastSample WithSerialFraction(double serialFraction) => new()
    {
        Items = Items,
        TimePerItem = TimePerItem,
        Spread = Spread,
        CpuRatio = CpuRatio,
        RunQueueShare = RunQueueShare,
        SampleWorkers = SampleWorkers,
        OtherLoad = OtherLoad,
        OtherGroups = OtherGroups,
        SerialFraction = serialFraction,
        Cores = Cores,
        Sampling = Sampling,
    };

    /// <summary>
    /// Amdahl's serial fraction from the lock waits the sample measured (Brigade's primitives are timed by the run as a
    /// whole, so only plain lock waits from the runtime's contention events, <see cref="PlainLockWaits"/>, count here):
    /// the share <c>q</c> of the <c>k</c> workers' time spent waiting, turned into the share <c>s</c> of an item's own
    /// time inside the lock by <see cref="SerialFractionFromWaits"/>. 0 when the sample ran on one worker (nothing to
    /// contend with), the waits were not timed, under 5% of the sample's time, or the run counted fewer contentions than
    /// half its items (a lock that serializes the items contends on most of them).
    /// </summary>
    internal static double SampleSerialFraction(RunReport run, AutoPlan plan)
    {
        // A lock that serializes the items contends on most of them: fewer contentions than half the items are the
        // occasional waits of any threaded run (Brigade's own dispatch included), not a serial fraction.
        if (plan.FromCache || run.Counters.MonitorContentions < 0.5 * Math.Max(1, run.Items))
        {
            return 0;
        }

        var sampled = run.Timeline.Where(e => e.FirstIndex < plan.AtItem).ToArray();
        var workers = sampled.Select(static e => e.WorkerId).Distinct().Count();
        if (workers < 2)
        {
            return 0;
        }

        var end = run.Timeline.Where(e => e.FirstIndex >= plan.AtItem).Select(static e => e.Start).DefaultIfEmpty(sampled.Max(static e => e.End)).Min();
        var busy = TimeSpan.Zero;
        foreach (var e in sampled)
        {
            var until = e.End < end ? e.End : end;
            busy += until > e.Start ? until - e.Start : TimeSpan.Zero;
        }

        var start = run.StartedAt.UtcDateTime;
        if (busy <= TimeSpan.Zero || PlainLockWaits.Waited(start, start + end, contentions: -1) is not { } waited)
        {
            return 0;
        }

        var q = Math.Clamp(waited / busy, 0, 1);
        return q < 0.05 ? 0 : SerialFractionFromWaits(q, workers);
    }

    /// <summary>
    /// The share <c>s</c> of each item's own time spent inside one lock, from the share <c>q</c> of <c>k</c> workers' time
    /// spent waiting for it (0 to 1).
    /// </summary>
    /// <remarks>
    /// <para>Each worker cycles through an item: <c>(1 − s)·t</c> outside the lock, a wait <c>W</c>, <c>s·t</c> inside it,
    /// so <c>q = W / (t + W)</c>. Whatever the timing, two bounds hold. The lock is held at most all the time: the
    /// throughput <c>k / (t + W)</c> times <c>s·t</c> is at most 1, so <c>s ≤ 1 / (k (1 − q))</c>, with equality once the
    /// lock saturates (always held, every worker's cycle <c>k·s·t</c> long). And someone waits only while the lock is
    /// held, at most <c>k − 1</c> at once: the mean number waiting, <c>k·q</c>, is at most <c>(k − 1)·k·s·(1 − q)</c>, so
    /// <c>s ≥ q / ((k − 1)(1 − q))</c>.</para>
    /// <para>Between them, the closed queue of <c>k</c> workers and one lock (the machine-repairman model, solved exactly by
    /// mean value analysis for exponential times: with <c>Q₀ = 0</c>, <c>Rₙ = s·t·(1 + Qₙ₋₁)</c>, <c>Xₙ = n / ((1 − s)·t + Rₙ)</c>,
    /// <c>Qₙ = Xₙ·Rₙ</c>, the wait is <c>W = Rₖ − s·t</c>) gives <c>q</c> as an increasing function of <c>s</c>; it is
    /// inverted here by bisection. It tends to the saturated bound as <c>k·s</c> grows past 1 (16 workers and a lock held
    /// 30% of each item wait <c>q</c> = 0.79, read back as 0.30; the linear rule <c>s ≈ q·k / (k − 1)</c> used before gave
    /// 0.84), and for two workers a lock held half the time waits 20% (read back as 0.5; the linear rule gave 0.4). Items
    /// whose time in the lock varies less than exponential times wait less than the model says at light load, so there
    /// the fraction reads low; the bounds still hold.</para>
    /// </remarks>
    /// <param name="q">The measured share of the workers' time spent waiting for the lock.</param>
    /// <param name="k">The number of workers that ran.</param>
    /// <returns>The serial fraction, 0 to 1.</returns>
    internal static double SerialFractionFromWaits(double q, int k)
    {
        if (k < 2 || q <= 0)
        {
            return 0;
        }

        // k workers wait at most for the k − 1 others: a longer share is the measurement's noise, and reads as a lock
        // held all the time (both bounds are then 1).
        q = Math.Min(q, (k - 1) / (double)k);
        double low = 0, high = 1;
        for (var i = 0; i < 60; i++)
        {
            var s = (low + high) / 2;
            (low, high) = LockWaitShare(s, k) < q ? (s, high) : (low, s);
        }

        // The model-free bounds (see above) hold whatever the model says.
        // At the cap q = (k − 1) / k both bounds are 1, but rounding can put either a step above it: the limits are
        // ordered and within [0, 1] before the clamp (which throws when its minimum exceeds its maximum).
        var upper = Math.Min(1, 1 / (k * (1 - q)));
        var lower = Math.Min(upper, q / ((k - 1) * (1 - q)));
        return Math.Clamp((low + high) / 2, lower, upper);
    }

    // The share of k workers' time spent waiting for a lock held a share s of each item's time (exponential times): mean
    // value analysis of the closed queue (see SerialFractionFromWaits), with t = 1.
    internal static double LockWaitShare(double s, int k)
    {
        double queue = 0, response = 0;
        for (var n = 1; n <= k; n++)
        {
            response = s * (1 + queue);
            queue = n / ((1 - s) + response) * response;
        }

        var wait = Math.Max(0, response - s);
        return wait / (1 + wait);
    }
}
