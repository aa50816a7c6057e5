using Brigade.Reporting;

namespace Brigade.Cli.Demo.Model;

/// <summary>A run's <see cref="RunLosses"/> in the demo document: the gap between the ideal and the useful time, by cause.</summary>
internal sealed class LossesRecord
{
    /// <summary>Workers the ideal counts.</summary>
    public int Width { get; init; }

    /// <summary>Width × wall time, in seconds of worker time.</summary>
    public double IdealSeconds { get; init; }

    /// <summary>Worker time spent on the items themselves.</summary>
    public double UsefulSeconds { get; init; }

    /// <summary>Ideal − useful: what <see cref="Causes"/> add up to.</summary>
    public double GapSeconds { get; init; }

    /// <summary>Useful ÷ ideal.</summary>
    public double Efficiency { get; init; }

    /// <summary>The causes, largest first.</summary>
    public List<LossRecord> Causes { get; init; } = [];

    /// <summary>What to change, from the largest causes; empty when little was lost.</summary>
    public List<string> Advice { get; init; } = [];

    public static LossesRecord From(RunLosses losses) => new()
    {
        Width = losses.Width,
        IdealSeconds = Round(losses.Ideal.TotalSeconds),
        UsefulSeconds = Round(losses.Useful.TotalSeconds),
        GapSeconds = Round(losses.Gap.TotalSeconds),
        Efficiency = Math.Round(losses.Efficiency, 3),
        Causes = [.. losses.Causes.Select(c => new LossRecord
        {
            Cause = LossRecord.Name(c.Cause),
            Seconds = Round(c.Time.TotalSeconds),
            Share = Math.Round(c.Share, 3),
            Description = c.Description,
        })],
        Advice = [.. losses.Advice],
    };

    private static double Round(double seconds) => Math.Round(seconds, 6);
}
