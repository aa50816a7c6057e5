namespace Brigade;

/// <summary>
/// Thrown when a run is cancelled through its token, once every started item has finished or been abandoned (an
/// asynchronous item that ignores its token and is still running one second after the cancel fails by index with a
/// <see cref="TimeoutException"/>, its task left to run on its own); carries the report of what did run, so the work done
/// before cancellation is not lost.
/// </summary>
public sealed class RunCanceledException : OperationCanceledException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="report">The report of the cancelled run (<see cref="RunReport.Cancelled"/> is set).</param>
    /// <param name="cancellationToken">The token that cancelled the run.</param>
    public RunCanceledException(RunReport report, CancellationToken cancellationToken)
        : base(MessageOf(report), null, cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        Report = report;
    }

    /// <summary>Gets the report of the items that ran before the run was cancelled.</summary>
    public RunReport Report { get; }

    // An item that ignored the cancellation and was abandoned had not finished when this was thrown (review 47: the
    // message said "every started item finished" beside the abandoned item's failure).
    private static string MessageOf(RunReport? report)
    {
        var done = report?.Succeeded + report?.Failed;
        // A stream's report lists only the failures its reader received: the count of the run's own is kept apart.
        var abandoned = report is null ? 0 : Math.Max(report.AbandonedItems, Engines.ItemAbandonedException.CountIn(report.Failures));
        return abandoned == 0
            ? $"The run was cancelled after {done} of {report?.Items} items; every started item finished before this was thrown."
            : $"The run was cancelled after {done} of {report?.Items} items; {abandoned} started {(abandoned == 1 ? "item" : "items")} ignored the cancellation and {(abandoned == 1 ? "was" : "were")} abandoned still running (failed with a TimeoutException, by index); every other started item finished before this was thrown.";
    }
}
