using System.Text;

namespace Brigade;

/// <summary>Thrown when a caller asks for the results of a run that did not complete every item, and by
/// <see cref="Runner.MapAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, RunOptions?, CancellationToken)"/>,
/// <c>ForEachAsync</c> and <c>MapReduceAsync</c> when an error stopped the run (<see cref="RunReport.Error"/>).</summary>
/// <remarks>The message lists the first failures with their indexes, each message cut after 500 characters (its length
/// said); <see cref="Report"/> has all of them, whole. When an error
/// stopped the run (the engine's: worker processes that could not start, an engine disposed during the run), the message
/// begins with it, <see cref="Exception.InnerException"/> is that error and <see cref="Report"/> says which items had
/// succeeded, failed and not run; before review 45 that error was thrown alone, without the report.</remarks>
public sealed class RunFailedException : Exception
{
    private const int FailuresInMessage = 5;

    /// <summary>Initializes the exception from a run's report.</summary>
    /// <param name="report">The run's report; its <see cref="RunReport.Error"/>, else its first failure, is the inner exception.</param>
    public RunFailedException(RunReport report)
        : base(Describe(report ?? throw new ArgumentNullException(nameof(report))), report.Error ?? (report.Failures.Count > 0 ? report.Failures[0].Exception : null))
    {
        Report = report;
    }

    /// <summary>Gets the report of the run, with every failure.</summary>
    public RunReport Report { get; }

    /// <summary>Gets what the run had computed when this was thrown, to be cast to the call's result type: the
    /// <see cref="RunResult{T}"/> of <c>MapAsync</c> (every item's value, failure or not-run status, by index), the
    /// <see cref="ReduceResult{T}"/> of <c>MapReduceAsync</c> (<see cref="ReduceResult{T}.PartialValue"/>); <see langword="null"/>
    /// from <c>ForEachAsync</c> and streams (a stream's reader received its results as they came), and when the exception
    /// was not thrown by a run (<see cref="RunResult{T}.Values"/>, or built by hand).</summary>
    /// <example><c>catch (SourceFailedException e) when (e.PartialResult is RunResult&lt;Row&gt; done) { Save(done.Where(r =&gt; r.IsSuccess)); }</c></example>
    public object? PartialResult { get; internal init; }

    /// <summary>Gets every failed item, in index order.</summary>
    public IReadOnlyList<ItemFailure> Failures => Report.Failures;

    private static string Describe(RunReport report)
    {
        var sb = new StringBuilder();
        if (report.Error is { } error)
        {
            // What stopped the run first, then what it had done: the caller's results are in Report.
            var message = Internal.ExceptionText.Brief(error).TrimEnd('.');
            sb.Append($"The run was stopped by {error.GetType().Name}: {message}; {report.Succeeded} of {report.Items} items succeeded, {report.Failed} failed, {report.NotRun} not run");
        }
        else
        {
            sb.Append($"{report.Failed} of {report.Items} items failed");
            if (report.NotRun > 0)
            {
                sb.Append($" and {report.NotRun} were not run");
            }
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
            // Each quoted at most ExceptionText.BriefLength characters (lib66: five 10 MB messages made one of 50 MB).
            sb.Append("; ").Append(failure.ToBriefString());
        }

        if (report.Failures.Count > FailuresInMessage)
        {
            sb.Append($"; and {report.Failures.Count - FailuresInMessage} more");
        }

        // One full stop: the last failure's own message most often ends with one ("...was not in a correct format."), and
        // the sentence read "format.." (review 59).
        // One line (lib61): an ObjectDisposedException's message, and others', carry "\nObject name: ..." and the like, and the
        // message of an engine disposed during a run read as two lines.
        sb.Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ');
        return (sb.Length > 0 && sb[^1] is '.' or '!' or '?' ? sb : sb.Append('.')).ToString();
    }
}
