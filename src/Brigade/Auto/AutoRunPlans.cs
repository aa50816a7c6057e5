using System.Collections;
using System.Diagnostics;
using Brigade.Reporting;

namespace Brigade.Auto;

/// <summary>
/// An auto run's plans and its report's plan line (<see cref="RunReport.Plan"/>), made when first read: what
/// <see cref="AutoRun{TIn, TOut}"/> used to format between the last item and the caller's continuation.
/// </summary>
/// <remarks>
/// <para>Everything that depends on the moment the run ended is taken then (the plans, the pool's plan, the helper's
/// items, the forecast, which may read the machine's load); only what is a pure function of those is left for later:
/// the line's formatted figures, and, for a job that ended within its sample and whose decision nobody needs at once
/// (no plan cache to write, no <see cref="AutoEngineOptions.OnFinished"/>), the end decision itself
/// (<see cref="CanDecideLater"/>). The text is the same whenever it is read (issue 16, <c>tiny</c>).</para>
/// <para>Built once, under <see cref="_gate"/>, by whichever thread reads first; readers after it see the published
/// <see cref="_line"/> (written last, volatile) and the plans written before it.</para>
/// </remarks>
internal sealed class AutoRunPlans : IReadOnlyList<AutoPlan>
{
    // The forecast's start-up of a CPU-bound plan's engines (the sequential engine, the thread pool), in seconds.
    private static readonly double CpuPlanStartUp =
        Math.Max(EngineCost.Default("sequential", 1, 1).StartUp.TotalSeconds, EngineCost.Default("threadpool", 1, 1).StartUp.TotalSeconds);

    private readonly Lock _gate = new();

    // Known at the end of the run: the plans so far and the decision they end with (null when it is decided later).
    private readonly PlanDecision? _decision;
    private readonly SpeedupForecast? _forecast;

    // For a decision made later (AutoRun: the input ended within the sample): what it is made from, as of the run's end.
    private readonly WorkSample _measured;
    private readonly PlanContext _context;
    private readonly TimeSpan _decidedAt;

    private readonly long _itemsTaken;
    private readonly long _noteItems;
    private readonly ActivePlan _poolPlan;
    private readonly long _helperItems;

    private IReadOnlyList<AutoPlan> _plans;
    private volatile string? _line;

    private AutoRunPlans(IReadOnlyList<AutoPlan> plans, PlanDecision? decision, SpeedupForecast? forecast, in WorkSample measured, in PlanContext context,
        TimeSpan decidedAt, long itemsTaken, long noteItems, ActivePlan poolPlan, long helperItems)
    {
        _plans = plans;
        _decision = decision;
        _forecast = forecast;
        _measured = measured;
        _context = context;
        _decidedAt = decidedAt;
        _itemsTaken = itemsTaken;
        _noteItems = noteItems;
        _poolPlan = poolPlan;
        _helperItems = helperItems;
    }

    /// <summary>Gets how the run's items' CPU time per item grew beside another worker, over the whole run (its batches alone
    /// against those beside another worker: <see cref="AutoPlanner.CpuGrowth"/>), and the share of the measured batches' CPU
    /// time that growth took; null when the run did not measure both (<see cref="AutoPlanner.ScalingMeasured"/>). The
    /// report's losses count that time as contention (<see cref="LossCause.LockContention"/>): it is spent on the CPU, so
    /// nothing else shows it.</summary>
    public CpuContention? Contention { get; set; }

    /// <summary>Gets the report's plan line.</summary>
    public string Line => _line ?? Build();

    /// <summary>Gets whether the plans and the line have been made (tests: nothing is formatted before the report is read).</summary>
    internal bool IsBuilt => _line is not null;

    /// <summary>Gets whether the decision at the run's end is made when first read (tests).</summary>
    internal bool DecidesLater => _decision is null;

    /// <inheritdoc/>
    public int Count => Plans.Count;

    private IReadOnlyList<AutoPlan> Plans
    {
        get
        {
            if (_line is null)
            {
                Build();
            }

            return _plans;
        }
    }

    /// <inheritdoc/>
    public AutoPlan this[int index] => Plans[index];

    /// <summary>The plans of a run that followed <paramref name="decision"/> last: its line is formatted when read, from
    /// figures taken now (the forecast is computed now: it may read the machine's load, which is the end of the run's).</summary>
    /// <param name="plans">Every plan of the run, the last one made from <paramref name="decision"/>.</param>
    /// <param name="decision">The decision the run followed last.</param>
    /// <param name="noteItems">The job's items, for the forecast.</param>
    /// <param name="poolPlan">The plan the workers followed at the end (its width may have been adapted).</param>
    /// <param name="helperItems">The items a pool thread that joined a tiny job ran.</param>
    public static AutoRunPlans Decided(IReadOnlyList<AutoPlan> plans, PlanDecision decision, long noteItems, ActivePlan poolPlan, long helperItems) =>
        new(plans, decision, SpeedupForecast.PlanForecast(plans, noteItems), default, default, default, 0, noteItems, poolPlan, helperItems);

    /// <summary>The plans of a run whose input ended within the sample, decided when first read: see <see cref="CanDecideLater"/>.</summary>
    /// <param name="measured">What the decision is made from (the run's exact totals, or its warm-up).</param>
    /// <param name="context">The context of the decision, taken at the run's end.</param>
    /// <param name="decidedAt">When the run ended, from its start: the plan's <see cref="AutoPlan.DecidedAt"/>.</param>
    /// <param name="itemsTaken">The items taken from the input.</param>
    /// <param name="noteItems">The job's items, for the forecast.</param>
    /// <param name="poolPlan">The plan the workers followed at the end.</param>
    /// <param name="helperItems">The items a pool thread that joined a tiny job ran.</param>
    public static AutoRunPlans Later(in WorkSample measured, in PlanContext context, TimeSpan decidedAt, long itemsTaken, long noteItems, ActivePlan poolPlan, long helperItems)
    {
        Debug.Assert(CanDecideLater(measured, context, itemsTaken, noteItems, out _), "only a decision that comes out the same later");
        return new([], null, null, measured, context, decidedAt, itemsTaken, noteItems, poolPlan, helperItems);
    }

    /// <summary>Whether the decision at the end of a run, and its line's forecast, come out the same when made later.</summary>
    /// <remarks>
    /// <see cref="AutoPlanner.Decide"/> is a function of the sample and the context alone (both taken at the end). The forecast
    /// note reads the machine's load only for a job it forecasts longer than <see cref="SpeedupForecast.WakeUpGrace"/>: a plan
    /// made after every item was taken leaves none to forecast, so its wall time is the engine's start-up and the sample's
    /// items (at most their time one after another). CPU-bound items are planned on the sequential engine or the thread pool,
    /// whose start-up is fixed; other classes may be planned on threads, whose start-up grows with the width, so they are
    /// decided at once. Nothing measured: no plan, no note.
    /// </remarks>
    /// <param name="measured">What the decision is made from.</param>
    /// <param name="context">The context of the decision.</param>
    /// <param name="itemsTaken">The items taken from the input.</param>
    /// <param name="noteItems">The job's items, for the forecast.</param>
    /// <param name="planned">Whether there will be a plan (something was measured).</param>
    /// <returns>Whether the decision can wait until the report is read.</returns>
    public static bool CanDecideLater(in WorkSample measured, in PlanContext context, long itemsTaken, long noteItems, out bool planned)
    {
        var measuredClass = AutoPlanner.Classify(measured, context.Options.ReportsExternalCpu);
        planned = measuredClass != WorkloadClass.Unknown;
        if (!planned)
        {
            return true;
        }

        if (measuredClass != WorkloadClass.CpuBound || noteItems != itemsTaken || context.Options.IsolatedEngine is not null || context.FromRunningItems)
        {
            return false;
        }

        return CpuPlanStartUp + (measured.TimePerItem.TotalSeconds * itemsTaken) <= SpeedupForecast.WakeUpGrace.TotalSeconds / 2;
    }

    /// <summary>The plan line of a run that measured nothing to plan from (at its end or when read).</summary>
    /// <param name="itemsTaken">The items taken from the input.</param>
    internal static string NothingToPlan(long itemsTaken) =>
        itemsTaken == 0 ? "nothing to plan: the input was empty" : "nothing to plan: no item finished";

    /// <inheritdoc/>
    public IEnumerator<AutoPlan> GetEnumerator() => Plans.GetEnumerator();

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => Line;

    private string Build()
    {
        lock (_gate)
        {
            if (_line is { } built)
            {
                return built;
            }

            var decision = _decision;
            var forecast = _forecast;
            if (decision is null)
            {
                decision = AutoPlanner.Decide(_measured, _context);
                if (decision is null)
                {
                    _plans = [];
                    return _line = NothingToPlan(_itemsTaken);
                }

                _plans = [decision.ToPlan(0, _itemsTaken, fromCache: false, _decidedAt)];
                forecast = SpeedupForecast.PlanForecast(_plans, _noteItems);
                Debug.Assert(forecast is null || forecast.WallTime <= SpeedupForecast.WakeUpGrace, "a forecast that did not read the machine");
            }

            return _line = Format(_plans[^1].Explanation, decision, _poolPlan, _helperItems, forecast);
        }
    }

    // The line: the last plan's explanation, how the workers' width moved since, a pool thread's help, the forecast.
    private static string Format(string explanation, PlanDecision decision, ActivePlan plan, long helperItems, SpeedupForecast? forecast)
    {
        var line = explanation;
        if (decision.Class == WorkloadClass.AsyncIo && plan.Width != decision.Width)
        {
            line += $"; limit adapted {decision.Width} → {plan.Width}";
        }
        else if (decision.Kind == LoopKind.Thread && plan.Width != decision.Width && plan.Kind == LoopKind.Thread)
        {
            line += $"; width adapted {decision.Width} → {plan.Width}";
        }

        // A tiny job's rest that a pool thread joined (AutoWorkerPool.MaybeJoin): still the plan above (one loop, Tiny),
        // with a second thread's help the report would not show otherwise.
        if (helperItems > 0)
        {
            line += $"; a pool thread joined ({AutoFormat.Count(helperItems)} items)";
        }

        // Issue 18 (Reporting's, not auto mode's): the speedup the plans forecast (each plan's items from its own
        // measurement after a re-plan), beside which the report measures it.
        return line + SpeedupForecast.Note(forecast);
    }
}
