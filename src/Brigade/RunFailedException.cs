using System.Text;

namespace Brigade;

/// <summary>Thrown when a caller asks for the results of a run that did not complete every item.</summary>
/// <remarks>The message lists the first failures with their indexes; <see cref="Report"/> has all of them.</remarks>
public sealed class RunFailedException : Exception
{
    private const int FailuresInMessage = 5;

    /// <summary>Initializes the exception from a run's report.</summary>
    /// <param name="report">The run's report.</param>
    public RunFailedException(RunReport report)
        : base(Describe(report ?? throw new ArgumentNullException(nameof(report))), report.Failures.Count > 0 ? report.Failures[0].Exception : null)
    {
        Report = report;
    }

    /// <summary>Gets the report of the run, with every failure.</summary>
    public RunReport Report { get; }

    /// <summary>Gets every failed item, in index order.</summary>
    public IReadOnlyList<ItemFailure> Failures => Report.Failures;

    private static string Describe(RunReport report)
    {
        var sb = new StringBuilder();
        sb.Append($"{report.Failed} of {report.Items} items failed");
        if (report.NotRun > 0)
        {
            sb.Append($" and {report.NotRun} were not run");
        }

        if (report.Cancelled)
        {
            sb.Append(" (cancelled)");
        }
        else if (report.StoppedOnFailure)
        {
            sb.Append(" (stopped at the first failure)");
        }

        foreach (var failure in report.Failures.Take(FailuresInMessage))
        {
            sb.Append("; ").Append(failure);
        }

        if (report.Failures.Count > FailuresInMessage)
        {
            sb.Append($"; and {report.Failures.Count - FailuresInMessage} more");
        }

        return sb.Append('.').ToString();
    }
}
