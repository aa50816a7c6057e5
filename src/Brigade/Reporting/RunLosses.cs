using System.Globalization;
using System.Text;

namespace Brigade.Reporting;

/// <summary>
/// Why a run was not faster: the gap between its ideal (every worker busy for the whole wall time) and the useful
/// time its workers spent, broken down into causes that add up to the whole gap.
/// </summary>
/// <remarks>
/// <para><see cref="Ideal"/> is <see cref="Width"/> workers × the wall time. <see cref="Useful"/> is the time workers
/// spent inside batches, less what was lost inside them (waiting for a core, GC pauses, lock waits, blocking in a
/// CPU pool, transport to worker processes). The causes in <see cref="Causes"/> sum to <see cref="Gap"/> exactly;
/// <see cref="LossCause.Unexplained"/> holds whatever the measurements do not account for.</para>
/// <para>Time outside batches is read from each worker's first and last batch: before the first is start-up, after
/// the last (while another worker still ran) is imbalance, the rest between batches is per-batch overhead. Inside
/// batches: run-queue wait from <c>/proc/self/task/TID/schedstat</c> (Linux), GC pauses from
/// <see cref="GC.GetTotalPauseDuration"/>, lock waits from Brigade's primitives and
/// <see cref="Monitor.LockContentionCount"/>, and off-CPU time from the workers' CPU clocks. The GC, lock and
/// contention counters are process-wide, so work outside the run that pauses or contends during it counts too.</para>
/// </remarks>
public sealed class RunLosses
{
    // Forecast, made when first read (see ForecastWhenRead).
    private readonly Lazy<SpeedupForecast?> _forecast = new((SpeedupForecast?)null);

    internal RunLosses()
    {
    }

    /// <summary>Gets the number of workers the ideal counts: the run's degree of parallelism, or the workers it started when more.</summary>
    public int Width { get; internal init; }

    /// <summary>Gets the ideal worker time: <see cref="Width"/> × the run's wall time.</summary>
    public TimeSpan Ideal { get; internal init; }

    /// <summary>Gets the worker time spent on the items themselves: busy time less the losses measured inside batches; never negative.</summary>
    /// <remarks>When the losses inside batches took all of their time (a short run on a loaded machine: its threads waited
    /// for a core), this is zero, <see cref="Speedup"/> is 0, and <see cref="ToString"/> says where the time went.</remarks>
    public TimeSpan Useful { get; internal init; }

    /// <summary>Gets <see cref="Ideal"/> − <see cref="Useful"/>: the worker time the causes account for.</summary>
    public TimeSpan Gap => Ideal - Useful;

    /// <summary>Gets <see cref="Useful"/> ÷ <see cref="Ideal"/>: 1.0 when nothing was lost.</summary>
    public double Efficiency => Ideal > TimeSpan.Zero ? Useful / Ideal : 1.0;

    /// <summary>Gets the speedup the run reached over one worker on an idle machine: the items' own time (<see cref="Useful"/>,
    /// plus the time items blocked on the thread pool, which one worker would have waited too) over the wall time.</summary>
    /// <remarks>Unlike <see cref="RunReport.Speedup"/>, time the workers waited for a core, for the GC, for locks or for
    /// transport does not count as the items' own: on a busy machine this speedup is lower, and it is what
    /// <see cref="Forecast"/> forecasts. It equals <see cref="Efficiency"/> × <see cref="Width"/> when nothing blocked.</remarks>
    public double Speedup
    {
        get
        {
            var wall = Width > 0 ? Ideal / Width : TimeSpan.Zero;
            return wall > TimeSpan.Zero ? Math.Max(0.0, (Useful + TimeLostTo(LossCause.Blocking)) / wall) : 1.0;
        }
    }

    /// <summary>Gets the speedup auto mode's first plan forecast from its sample before the full run, to set beside
    /// <see cref="Speedup"/>; <see langword="null"/> for runs that auto mode did not plan.</summary>
    /// <remarks>Made when first read: for a run forecast to last a second or more it reads the machine's load (every other
    /// process's threads), which the report's one-line summary, computing the losses for its speedup, does not need.</remarks>
    public SpeedupForecast? Forecast { get => _forecast.Value; internal init => _forecast = new(value); }

    // Forecast, made when first read (LossBreakdown sets it so: review 69, the summary line reads the losses too).
    internal Func<SpeedupForecast?> ForecastWhenRead
    {
        get => () => _forecast.Value;
        init => _forecast = new(value, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets whether the run measured its workers' waits for a core (see <see cref="LossBreakdown.RunQueueMeasured"/>):
    /// then <see cref="Speedup"/> is over one worker on an idle machine; else over one worker with the machine's waits for
    /// a core not told apart from the items' time.</summary>
    internal bool RunQueueMeasured { get; init; }

    /// <summary>Gets what <see cref="Speedup"/> is over, in words: the same in <see cref="ToString"/> and the report's
    /// one-line summary (review 70: the summary said "over the items' busy time" of the figure this called "over one worker
    /// on an idle machine").</summary>
    internal string SpeedupOver => RunQueueMeasured ? "over one worker on an idle machine" : "over one worker (waits for a core not measured)";

    /// <summary>Gets the causes of the gap, largest first; they sum to <see cref="Gap"/>. Causes that cost nothing are left out.</summary>
    public IReadOnlyList<RunLoss> Causes { get; internal init; } = [];

    /// <summary>Gets what to change, from the one or two largest causes; empty when the run lost little (under 10% of the ideal).</summary>
    public IReadOnlyList<string> Advice { get; internal init; } = [];

    /// <summary>Gets the explanation on one line: the share of the ideal reached, the largest causes with their shares of the gap, and the first advice.</summary>
    /// <value>Such as <c>48% of the ideal; lost to imbalance 81%, start-up 12%: item 417 took 48 ms of the last 60 ms: split large items or sort them largest first</c>.</value>
    public string Summary
    {
        get
        {
            var inv = CultureInfo.InvariantCulture;
            var s = string.Create(inv, $"{Efficiency * 100:0}% of the ideal");
            var top = Causes.Where(static c => c.Time > TimeSpan.Zero && c.Share >= 0.05).Take(3).ToArray();
            if (top.Length > 0)
            {
                s += "; lost to " + string.Join(", ", top.Select(c => string.Create(inv, $"{LossText.Name(c.Cause)} {c.Share * 100:0}%")));
            }

            return Advice.Count > 0 ? s + ": " + Advice[0] : s;
        }
    }

    /// <summary>
    /// Starts timing waits on plain <c>lock</c> for the losses of the runs that start afterwards: an in-process listener on
    /// the runtime's contention events, process-wide and kept on (switching it per run would cost milliseconds). Without
    /// it, a plain lock's wait is estimated from the batches during which the runtime counted contention. Computing any
    /// run's <see cref="RunReport.Losses"/> starts it too, so a program that reads losses has it from its second run on.
    /// </summary>
    /// <returns>Whether timing is on (false where the runtime's event sources are not supported).</returns>
    public static bool StartTimingPlainLocks() => PlainLockWaits.Start();

    /// <summary>Returns the time lost to <paramref name="cause"/>, zero when it is not among <see cref="Causes"/>.</summary>
    /// <param name="cause">The cause to look up.</param>
    /// <returns>The worker time lost to it.</returns>
    public TimeSpan TimeLostTo(LossCause cause)
    {
        foreach (var c in Causes)
        {
            if (c.Cause == cause)
            {
                return c.Time;
            }
        }

        return TimeSpan.Zero;
    }

    // Where the batches' time went when none of it was the items' own: the largest loss measured inside batches.
    private string AllLostTo()
    {
        var inside = Causes.Where(static c => (c.Cause is LossCause.WaitingForCore or LossCause.GcPauses or LossCause.LockContention or LossCause.SharedResource) && c.Time > TimeSpan.Zero)
            .MaxBy(static c => c.Time);
        return inside?.Cause switch
        {
            null => "the workers spent no time on items",
            LossCause.WaitingForCore => "the workers' time in batches all went to the machine (waiting for a core: other threads or processes held the cores)",
            var cause => "the workers' time in batches all went to " + LossText.Name(cause.Value),
        };
    }

    /// <summary>Returns the explanation: a headline, one line per cause, then the advice.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        // Says what the share is of, and what it counts, so that it is not read as the summary's efficiency (report 72:
        // "efficiency 81%" then "0% of the ideal" for one run, the difference the time items blocked, which the speedup counts).
        sb.Append(inv, $"Why not faster: {Efficiency * 100:0}% of the ideal ({Width} × wall = {LossText.Duration(Ideal)}) was the items' own work, useful {LossText.Duration(Useful)}, lost {LossText.Duration(Gap)}");
        if (Ideal > TimeSpan.Zero && Speedup <= 0)
        {
            sb.Append("; no speedup measurable: ").Append(AllLostTo());
        }
        else
        {
            sb.Append(inv, $"; speedup {Speedup:0.00} {SpeedupOver}");
            if (TimeLostTo(LossCause.Blocking) is var blocked && blocked > TimeSpan.Zero)
            {
                sb.Append(inv, $", which counts the {LossText.Duration(blocked)} items blocked as their own (one worker would have waited too)");
            }
        }

        if (Forecast is { } forecast)
        {
            sb.Append(inv, $" ({forecast} from auto mode's sample)");
        }

        foreach (var c in Causes)
        {
            sb.AppendLine();
            sb.Append(inv, $"  {LossText.Name(c.Cause),-18}{LossText.Duration(c.Time),10}{c.Share * 100,5:0}%  {c.Description}");
        }

        foreach (var a in Advice)
        {
            sb.AppendLine();
            sb.Append("  → ").Append(a);
        }

        return sb.ToString();
    }
}
