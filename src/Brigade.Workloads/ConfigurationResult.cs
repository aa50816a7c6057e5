namespace Brigade.Workloads;

/// <summary>The measured runs of one configuration (auto, or a hand-picked engine and width) on one workload.</summary>
/// <param name="Label">Such as <c>auto</c> or <c>threads ×64</c>.</param>
/// <param name="Walls">The wall time of each repetition.</param>
/// <param name="Report">The report of the run whose wall time is the median.</param>
internal sealed record ConfigurationResult(string Label, IReadOnlyList<TimeSpan> Walls, RunReport Report)
{
    /// <summary>Gets the median wall time.</summary>
    public TimeSpan Median => Walls.Order().ElementAt(Walls.Count / 2);
}
