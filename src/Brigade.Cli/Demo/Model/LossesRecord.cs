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

    /// <summary>The speedup over one worker on an idle machine (<see cref="RunLosses.Speedup"/>); new in issue 18, null in older documents.</summary>
    public double? Speedup { get; init; }

    /// <summary>The speedup auto mode's sample forecast before the full run (<see cref="RunLosses.Forecast"/>); null for runs auto mode did not plan.</summary>
    public double? ForecastSpeedup { get; init; }

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
        Speedup = Math.Round(losses.Speedup, 3),
        ForecastSpeedup = losses.Forecast is { } f ? Math.Round(f.Speedup, 3) : null,
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
