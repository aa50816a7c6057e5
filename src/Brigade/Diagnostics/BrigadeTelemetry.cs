namespace Brigade.Diagnostics;

/// <summary>Names under which Brigade publishes its metrics and traces.</summary>
/// <remarks>
/// Listen with OpenTelemetry (<c>AddMeter(BrigadeTelemetry.MeterName)</c>,
/// <c>AddSource(BrigadeTelemetry.ActivitySourceName)</c>) or <c>dotnet-counters monitor --counters Brigade</c>.
/// </remarks>
public static class BrigadeTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Brigade</c>.</summary>
    public const string MeterName = "Brigade";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>Brigade</c>.</summary>
    public const string ActivitySourceName = "Brigade";

    /// <summary>Counter of items whose work returned, tagged <c>brigade.engine</c>.</summary>
    public const string ItemsSucceeded = "brigade.items.succeeded";

    /// <summary>Counter of items whose work threw, tagged <c>brigade.engine</c>.</summary>
    public const string ItemsFailed = "brigade.items.failed";

    /// <summary>Counter of batches run, tagged <c>brigade.engine</c>.</summary>
    public const string Batches = "brigade.batches";

    /// <summary>Histogram of run durations in seconds, tagged <c>brigade.engine</c>.</summary>
    public const string RunDuration = "brigade.run.duration";

    /// <summary>Up-down counter of runs in progress.</summary>
    public const string ActiveRuns = "brigade.runs.active";

    /// <summary>The name of the activity that spans one run.</summary>
    public const string RunActivity = "brigade.run";
}
