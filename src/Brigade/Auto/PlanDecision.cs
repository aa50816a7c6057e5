namespace Brigade.Auto;

/// <summary>A plan before it is applied: the class, where and how wide workers run, and the explanation.</summary>
/// <param name="Class">The class reported (may be <see cref="WorkloadClass.Tiny"/>).</param>
/// <param name="Kind">Where workers run.</param>
/// <param name="Engine">The engine name reported for the plan.</param>
/// <param name="Width">How many workers (items in flight, for asynchronous work).</param>
/// <param name="BatchSize">The batch size workers start with.</param>
/// <param name="TargetBatch">The batch duration workers adapt their batch size towards.</param>
/// <param name="Explanation">The one-line explanation.</param>
/// <param name="Sample">The measurements behind the plan.</param>
/// <param name="MeasuredClass">The class of the measurements alone, before the job's size is considered (never Tiny).</param>
internal sealed record PlanDecision(
    WorkloadClass Class,
    LoopKind Kind,
    string Engine,
    int Width,
    int BatchSize,
    TimeSpan TargetBatch,
    string Explanation,
    WorkSample Sample,
    WorkloadClass MeasuredClass)
{
    /// <summary>Gets how the items' CPU time per item grew beside another worker (<see cref="AutoPlanner.CpuGrowth"/>), as the
    /// sample or a remembered plan measured it; null when not known. The plan cache keeps it: a run from a cached plan never
    /// runs items alone, so it cannot measure it again.</summary>
    public double? CpuGrowth { get; init; }

    /// <summary>Gets whether a CPU-bound plan runs one worker, not the cores, because its items cost more CPU beside another
    /// worker than alone (<see cref="AutoPlanner.MinWidthGain"/>): the monitor re-checks two workers now and then
    /// (<see cref="WidthRecheck"/>).</summary>
    public bool NarrowedForGrowth { get; init; }

    /// <summary>Gets whether the decision was made from a remembered plan's figures (<see cref="PlanContext.FromCache"/>).</summary>
    public bool FromCache { get; init; }

    /// <summary>Gets whether the decision was made from items still running (their time so far), not from finished ones.</summary>
    public bool FromRunningItems { get; init; }

    /// <summary>Gets whether the width was held down until the items' lock waits are timed (the run contended before they
    /// were: <see cref="AutoProbe{TIn, TOut}"/>'s unsettled-lock cap): the monitor does not widen it from untimed windows.</summary>
    public bool HeldForLockTiming { get; init; }

    /// <summary>Returns the decision held at <paramref name="cap"/> workers until the items' lock waits are timed: the line's
    /// head names the width the plan runs, the one wanted stays in its reason.</summary>
    public PlanDecision HeldAt(int cap) =>
        CappedAt(cap, "until the items' lock waits are timed (they contended)") with { HeldForLockTiming = true };

    /// <summary>Returns the decision at <paramref name="cap"/> workers, saying why (the line's head names the width the plan
    /// runs; the one wanted stays in its reason).</summary>
    public PlanDecision CappedAt(int cap, string why)
    {
        var line = Explanation;
        var head = $" ×{Width}, ";
        var at = line.IndexOf(head, StringComparison.Ordinal);
        if (at >= 0)
        {
            line = string.Concat(line.AsSpan(0, at), $" ×{cap}, ", line.AsSpan(at + head.Length));
        }

        return this with
        {
            Width = cap,
            Explanation = line + $"; {AutoFormat.Count(cap)}, not {AutoFormat.Count(Width)}, {why}",
        };
    }

    /// <summary>Turns the decision into the public plan a report carries.</summary>
    public AutoPlan ToPlan(int revision, long atItem, bool fromCache, TimeSpan? decidedAt = null) => new()
    {
        Class = Class,
        Engine = Engine,
        DegreeOfParallelism = Width,
        BatchSize = BatchSize,
        Explanation = Explanation,
        CpuRatio = Math.Round(Sample.CpuRatio, 3),
        TimePerItem = Sample.TimePerItem,
        CpuTimePerItem = Sample.CpuTimePerItem,
        AllocatedBytesPerItem = Math.Round(Sample.AllocatedBytesPerItem, 1),
        Contention = Math.Round(Sample.Contention, 3),
        MeasuredItems = Sample.TotalItems,
        FromCache = fromCache,
        FromRunningItems = FromRunningItems,
        Revision = revision,
        AtItem = atItem,
        DecidedAt = decidedAt,
    };
}
