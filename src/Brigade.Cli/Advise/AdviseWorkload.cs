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

    /// <summary>Auto's median wall time, sampling included.</summary>
    public double AutoSeconds { get; init; }

    public List<AdviseAlternative> Alternatives { get; init; } = [];

    /// <summary>The fastest alternative's label.</summary>
    public required string Best { get; init; }

    /// <summary>Auto's median wall time over the best alternative's.</summary>
    public double Ratio { get; init; }
}
