namespace Brigade.Reporting;

/// <summary>A silo a cluster run lost and finished without: its name (the workers' <see cref="WorkerReport.Location"/>)
/// and why the run stopped using it.</summary>
/// <remarks>Recorded by Brigade.Orleans' ClusterRun on the job (<see cref="EngineJob{TIn, TOut}.LostSilos"/>) and carried to
/// the report (<see cref="RunReport.LostSilos"/>): the plan's text (<see cref="PlanText"/>) and the losses
/// (<see cref="LossBreakdown"/>) both read it, so that neither parses the other's wording (review 48 found the silos by
/// parsing the plan).</remarks>
/// <param name="Name">The silo's address, as the run's workers name their location.</param>
/// <param name="Reason">Why the run stopped using it ("it left the cluster").</param>
/// <param name="Cause">The kind of that reason, for the advice (<see cref="LossBreakdown"/>).</param>
internal sealed record LostSilo(string Name, string Reason, LostSiloCause Cause = LostSiloCause.Left)
{
    /// <summary>Returns what a run's plan says of the silos it lost: "; lost during the run: NAME (REASON); ..., its batches
    /// ran on the others" when it finished, "; lost before the run stopped: NAME (REASON); ..." when it stopped early (what
    /// the lost silo had in flight may not have run anywhere: review 50), or "" when it lost none.</summary>
    /// <param name="lost">The silos, in the order the run had them.</param>
    /// <param name="stoppedEarly">Whether the run stopped early (its caller cancelled, or <see cref="FailureMode.StopOnFirstFailure"/>).</param>
    /// <returns>The text to append to the plan.</returns>
    public static string PlanText(IReadOnlyList<LostSilo> lost, bool stoppedEarly = false) => lost.Count == 0
        ? ""
        : stoppedEarly
            ? $"; lost before the run stopped: {Names(lost)}"
            : $"; lost during the run: {Names(lost)}, {(lost.Count == 1 ? "its" : "their")} batches ran on the others";

    private static string Names(IReadOnlyList<LostSilo> lost) => string.Join("; ", lost.Select(static s => $"{s.Name} ({s.Reason})"));
}
