namespace Brigade.Cli.Advise;

/// <summary>A hand-picked engine and width measured beside auto mode.</summary>
internal sealed class AdviseAlternative
{
    public required string Label { get; init; }

    public required string Engine { get; init; }

    public int Width { get; init; }

    /// <summary>The median wall time.</summary>
    public double Seconds { get; init; }
}
