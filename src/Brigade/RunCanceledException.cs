namespace Brigade;

/// <summary>
/// Thrown when a run is cancelled through its token, once every started item has finished; carries the report of
/// what did run, so the work done before cancellation is not lost.
/// </summary>
public sealed class RunCanceledException : OperationCanceledException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="report">The report of the cancelled run (<see cref="RunReport.Cancelled"/> is set).</param>
    /// <param name="cancellationToken">The token that cancelled the run.</param>
    public RunCanceledException(RunReport report, CancellationToken cancellationToken)
        : base($"The run was cancelled after {report?.Succeeded + report?.Failed} of {report?.Items} items; every started item finished before this was thrown.", null, cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        Report = report;
    }

    /// <summary>Gets the report of the items that ran before the run was cancelled.</summary>
    public RunReport Report { get; }
}
