namespace Brigade.Cli.Advise;

/// <summary>A hand-picked engine and width measured beside auto mode.</summary>
internal sealed class AdviseAlternative
{
    public required string Label { get; init; }

    public required string Engine { get; init; }

    public int Width { get; init; }

    /// <summary>The median wall time.</summary>
    public double Seconds { get; init; }

    /// <summary>Every run's wall time, in the order they ran (the median is <see cref="Seconds"/>; review 65).</summary>
    public List<double> RunSeconds { get; init; } = [];

    /// <summary>The speedup forecast from auto mode's sample and this engine's measured overhead, over one worker on an idle
    /// machine (<see cref="AdviseDocument.SpeedupOver"/>); null when auto had no sample.</summary>
    public double? ForecastSpeedup { get; init; }

    /// <summary>The measured speedup in the forecast's terms (<see cref="AdviseDocument.SpeedupOver"/>): the items' own time
    /// (measured one at a time for the reference workloads, else from the run's batches less their waits for a core) over
    /// the median run's wall time; null with no forecast.</summary>
    public double? MeasuredSpeedup { get; init; }
}
