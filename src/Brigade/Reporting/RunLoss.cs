namespace Brigade.Reporting;

/// <summary>One cause of a run's lost speedup, with how much worker time it cost.</summary>
/// <param name="Cause">What the time was lost to.</param>
/// <param name="Time">Worker time lost, summed over workers (the same unit as <see cref="RunLosses.Ideal"/>).</param>
/// <param name="Share">The fraction of <see cref="RunLosses.Gap"/> this cause accounts for, from 0 to 1.</param>
/// <param name="Description">One sentence saying what was measured, such as <c>item 417 ran 48 ms at the end while the other worker sat idle</c>.</param>
/// <param name="Advice">What to change when this cause is one of the largest, or <see langword="null"/> when nothing can be done about it.</param>
public sealed record RunLoss(LossCause Cause, TimeSpan Time, double Share, string Description, string? Advice);
