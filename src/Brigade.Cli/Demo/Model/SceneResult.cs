namespace Brigade.Cli.Demo.Model;

/// <summary>One scene of the demo: its runs and a one-line conclusion drawn from the measurements.</summary>
/// <remarks>Capabilities add nullable fields here (null fields are omitted from the JSON); none is ever removed or renamed.</remarks>
internal sealed class SceneResult
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public string Conclusion { get; set; } = "";

    public List<RunRecord> Runs { get; init; } = [];

    public double Seconds { get; set; }

    /// <summary>For pitfall scenes: whether Brigade detected the pitfall the scene provokes.</summary>
    public bool? Detected { get; set; }

    /// <summary>For pitfall scenes, where it applies: milliseconds from the moment the pitfall formed (or the provoking wait began) to its detection.</summary>
    public double? DetectionMs { get; set; }

    /// <summary>For pitfall scenes: the report a user sees (the message of the Brigade report), when there was one.</summary>
    public string? Report { get; set; }

    /// <summary>Why the scene's least efficient parallel Brigade run was not faster (<see cref="RunReport.Losses"/>), when it lost at least 10% of its ideal; null otherwise.</summary>
    public string? WhyNotFaster { get; set; }

    /// <summary>
    /// For scenes whose effect depends on timing (the race scene's lost updates): how many times the provoking phase
    /// ran to observe it, at most a bounded few; the runs' observed values are those of the last attempt.
    /// </summary>
    public int? Attempts { get; set; }
}
