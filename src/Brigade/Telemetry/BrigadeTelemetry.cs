namespace Brigade.Diagnostics;

/// <summary>Names under which Brigade publishes its metrics and traces.</summary>
/// <remarks>
/// Listen with OpenTelemetry (<c>AddMeter(BrigadeTelemetry.MeterName)</c>,
/// <c>AddSource(BrigadeTelemetry.ActivitySourceName)</c>) or <c>dotnet-counters monitor --counters Brigade</c>.
/// Names follow the OpenTelemetry semantic conventions' style: lower-case dotted namespaces, units in UCUM
/// (<c>s</c>, <c>{item}</c>), one instrument with an attribute rather than one instrument per outcome, and
/// <c>error.type</c> on what failed.
/// </remarks>
public static class BrigadeTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Brigade</c>.</summary>
    public const string MeterName = "Brigade";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>Brigade</c>.</summary>
    public const string ActivitySourceName = "Brigade";

    /// <summary>
    /// Counter of items processed, tagged <see cref="EngineTag"/> and <see cref="OutcomeTag"/> (<see cref="OutcomeSuccess"/>
    /// when the work returned, <see cref="OutcomeFailure"/> when it threw).
    /// </summary>
    public const string ItemsProcessed = "brigade.items.processed";

    /// <summary>Counter of batches run, tagged <see cref="EngineTag"/>.</summary>
    public const string Batches = "brigade.batches";

    /// <summary>
    /// Histogram of run durations in seconds, tagged <see cref="EngineTag"/>, and <see cref="ErrorTypeTag"/> when the run
    /// failed; its bucket boundaries advise second-scale buckets (5 ms to an hour), since runs last seconds to hours.
    /// </summary>
    public const string RunDuration = "brigade.run.duration";

    /// <summary>Up-down counter of runs in progress.</summary>
    public const string ActiveRuns = "brigade.runs.active";

    /// <summary>
    /// The name of the activity that spans one run. A run that did not deliver every item (items failed, the run threw or
    /// was cancelled) ends with status <see cref="System.Diagnostics.ActivityStatusCode.Error"/> and <see cref="ErrorTypeTag"/>.
    /// </summary>
    public const string RunActivity = "brigade.run";

    /// <summary>Attribute with the engine's name, such as <c>threadpool</c> or <c>processes</c>.</summary>
    public const string EngineTag = "brigade.engine";

    /// <summary>Attribute of <see cref="ItemsProcessed"/>: <see cref="OutcomeSuccess"/> or <see cref="OutcomeFailure"/>.</summary>
    public const string OutcomeTag = "brigade.item.outcome";

    /// <summary>The <see cref="OutcomeTag"/> of an item whose work returned.</summary>
    public const string OutcomeSuccess = "success";

    /// <summary>The <see cref="OutcomeTag"/> of an item whose work threw.</summary>
    public const string OutcomeFailure = "failure";

    /// <summary>
    /// The semantic conventions' <c>error.type</c>: on a failed run, the full name of the exception that ended it, or
    /// of the first failed item's exception when items failed, or <c>System.OperationCanceledException</c> when cancelled.
    /// </summary>
    public const string ErrorTypeTag = "error.type";
}
