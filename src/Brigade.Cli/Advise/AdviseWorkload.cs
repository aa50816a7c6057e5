namespace Brigade.Cli.Advise;

/// <summary>One workload in <c>brigade advise --json</c>: auto's plan and the measured alternatives.</summary>
internal sealed class AdviseWorkload
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    /// <summary>The class the workload is labelled with.</summary>
    public required string ExpectedClass { get; init; }

    /// <summary>The class auto mode measured (its last plan's).</summary>
    public required string Class { get; init; }

    public bool ClassMatches { get; init; }

    /// <summary>The one-line explanation of auto's plan.</summary>
    public required string Plan { get; init; }

    /// <summary>Every plan auto made in the run, in order (re-plans after the first).</summary>
    public List<string> Plans { get; init; } = [];

    /// <summary>The engines auto's plans ran the items on (<c>sequential</c>, <c>threadpool</c>, <c>threads</c>, <c>async</c>), in order.</summary>
    public List<string> PlanEngines { get; init; } = [];

    /// <summary>Whether every engine in <see cref="PlanEngines"/> is among <c>--engines</c>; null without <c>--engines</c>.</summary>
    public bool? PlanAmongEngines { get; init; }

    /// <summary>Auto's median wall time, sampling included.</summary>
    public double AutoSeconds { get; init; }

    /// <summary>Every auto run's wall time, in the order they ran (review 65).</summary>
    public List<double> AutoRunSeconds { get; init; } = [];

    /// <summary>Auto's wall times in the unmeasured runs before those (<see cref="AdviseDocument.UnmeasuredRounds"/>), in
    /// order; empty when there were none (review 65b).</summary>
    public List<double> AutoUnmeasuredSeconds { get; init; } = [];

    /// <summary>The speedup auto's plan was forecast to reach, from its sample, before the full run; null when auto had no sample.</summary>
    public double? ForecastSpeedup { get; init; }

    /// <summary>What bounds auto's forecast, such as <c>cores</c> or <c>a busy machine</c>; null with no forecast.</summary>
    public string? ForecastLimitedBy { get; init; }

    /// <summary>The measured speedup in the forecast's terms (<see cref="AdviseDocument.SpeedupOver"/>): the items' own time
    /// (measured one at a time for the reference workloads, else from the run's batches less their waits for a core) over
    /// auto's median wall time; null with no forecast.</summary>
    public double? MeasuredSpeedup { get; init; }

    public List<AdviseAlternative> Alternatives { get; init; } = [];

    /// <summary>The fastest alternative's label.</summary>
    public required string Best { get; init; }

    /// <summary>Auto's median wall time over the best alternative's.</summary>
    public double Ratio { get; init; }

    /// <summary>What the measurements leave out, one sentence each, such as worker processes measured at the core count
    /// only for work that waits (review 64); empty when nothing.</summary>
    public List<string> Notes { get; init; } = [];
}
