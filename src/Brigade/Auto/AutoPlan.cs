namespace Brigade.Auto;

/// <summary>
/// A plan auto mode made for a run: the class it measured, the engine, width and batch size it chose, the
/// measurements behind the choice, and a one-line explanation for people.
/// </summary>
/// <remarks>
/// A run's first plan comes from a sample of its own items (or from the plan cache); when the work changes
/// character during the run, later plans follow with a higher <see cref="Revision"/>. Every plan of a run is in
/// <see cref="RunReport.Plans"/>; <see cref="RunReport.Plan"/> holds the last one's <see cref="Explanation"/>.
/// </remarks>
public sealed class AutoPlan
{
    internal AutoPlan()
    {
    }

    /// <summary>Gets what the work was measured to be.</summary>
    public WorkloadClass Class { get; init; }

    /// <summary>Gets the name of the engine the plan runs items on: <c>sequential</c>, <c>threadpool</c>, <c>threads</c>, <c>async</c>, or an isolated engine's name.</summary>
    public required string Engine { get; init; }

    /// <summary>Gets the number of workers (items in flight, for asynchronous work) the plan allows.</summary>
    public int DegreeOfParallelism { get; init; }

    /// <summary>Gets the batch size the plan starts workers with; workers then adapt it around a target batch duration.</summary>
    public int BatchSize { get; init; }

    /// <summary>Gets the explanation in one line, such as <c>ThreadPool ×2, batch 256 — CPU-bound (cpu/wall 0.98), 4.1 µs per item, 2 cores</c>.</summary>
    public required string Explanation { get; init; }

    /// <summary>Gets the share of an item's time spent on a CPU, not counting time spent waiting for a core or for the garbage collector (0 to 1).</summary>
    public double CpuRatio { get; init; }

    /// <summary>Gets the measured time one item takes on its own (wall time minus waits for a core).</summary>
    public TimeSpan TimePerItem { get; init; }

    /// <summary>Gets the measured CPU time per item (for asynchronous work, the CPU time of its synchronous part).</summary>
    public TimeSpan CpuTimePerItem { get; init; }

    /// <summary>Gets the bytes allocated per item, measured on the thread that ran it.</summary>
    public double AllocatedBytesPerItem { get; init; }

    /// <summary>Gets the share of the measured time items spent waiting for a core because other threads or processes held it (0 to 1).</summary>
    public double Contention { get; init; }

    /// <summary>Gets how many items the measurements behind this plan cover.</summary>
    public long MeasuredItems { get; init; }

    /// <summary>Gets whether the plan came from the plan cache instead of a fresh sample.</summary>
    public bool FromCache { get; init; }

    /// <summary>Gets whether the plan was decided from items still running (items known only to last longer than their
    /// time so far, such as long blocking calls), not from finished items; <see cref="TimePerItem"/> is then a lower bound.</summary>
    public bool FromRunningItems { get; init; }

    /// <summary>Gets 0 for a run's first plan, and 1, 2, ... for each re-plan during the run.</summary>
    public int Revision { get; init; }

    /// <summary>Gets how many items had been taken from the input when the plan was made.</summary>
    public long AtItem { get; init; }

    /// <summary>Gets when the plan was made, from the run's start (the clock of <see cref="RunReport.Timeline"/>); null when
    /// not recorded. The forecast reads what the sample's batches showed at that moment (<see cref="Reporting.SpeedupForecast.ForRun"/>).</summary>
    internal TimeSpan? DecidedAt { get; init; }

    /// <summary>This plan as if it had run its job from the first item with no sample before it (a remembered plan's
    /// terms): how a re-planned line forecasts its last plan alone (<see cref="Reporting.SpeedupForecast.PlanForecast(IReadOnlyList{AutoPlan}, long, double?)"/>). Every other
    /// property is copied: a property added here is added to this copy too.</summary>
    internal AutoPlan FromItsOwnStart() => new()
    {
        Class = Class,
        Engine = Engine,
        DegreeOfParallelism = DegreeOfParallelism,
        BatchSize = BatchSize,
        Explanation = Explanation,
        CpuRatio = CpuRatio,
        TimePerItem = TimePerItem,
        CpuTimePerItem = CpuTimePerItem,
        AllocatedBytesPerItem = AllocatedBytesPerItem,
        Contention = Contention,
        MeasuredItems = MeasuredItems,
        FromRunningItems = FromRunningItems,
        Revision = Revision,
        DecidedAt = DecidedAt,
        FromCache = true,
        AtItem = 0,
    };

    /// <inheritdoc/>
    public override string ToString() => Explanation;
}
