namespace Brigade;

/// <summary>
/// Thrown when a run is cancelled through its token, once every started item has finished or been abandoned (an
/// asynchronous item that ignores its token and is still running one second after the cancel fails by index with a
/// <see cref="TimeoutException"/>, its task left to run on its own); carries the report of what did run, so the work done
/// before cancellation is not lost.
/// </summary>
/// <remarks>
/// A cancelled call returns in bounded time even when its input blocks: an <see cref="IEnumerable{T}"/> whose
/// <c>MoveNext</c> is still running one second after the cancel is left there, and the message says so (the thread reading
/// it stays with it until it returns, then disposes the enumerator). Only the caller's cancel (and a stream's reader
/// leaving) abandons anything: the run's own stops, such as <see cref="FailureMode.StopOnFirstFailure"/>, wait for the
/// items that are running.
/// </remarks>
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

    /// <summary>Gets what the run had computed when this was thrown, to be cast to the call's result type: the
    /// <see cref="RunResult{T}"/> of <c>MapAsync</c> (every item's value, failure or not-run status, by index), the
    /// <see cref="ReduceResult{T}"/> of <c>MapReduceAsync</c> (<see cref="ReduceResult{T}.PartialValue"/>); <see langword="null"/>
    /// from <c>ForEachAsync</c> and streams (a stream's reader received its results as they came), and when the exception
    /// was not thrown by a run (<see cref="RunResult{T}.Values"/>, or built by hand).</summary>
    /// <example><c>catch (SourceFailedException e) when (e.PartialResult is RunResult&lt;Row&gt; done) { Save(done.Where(r =&gt; r.IsSuccess)); }</c></example>
    public object? PartialResult { get; internal init; }

    // An item that ignored the cancellation and was abandoned had not finished when this was thrown (review 47: the
    // message said "every started item finished" beside the abandoned item's failure).
    private static string MessageOf(RunReport? report)
    {
        var done = report?.Succeeded + report?.Failed;
        // A stream's report lists only the failures its reader received: the count of the run's own is kept apart.
        var abandoned = report is null ? 0 : Math.Max(report.AbandonedItems, Engines.ItemAbandonedException.CountIn(report.Failures));
        // lib59: a worker process that outlived the cancellation's grace period was killed with what it had taken; those
        // items count as not run, but one at least had started, and "every started item finished" was not true of it.
        var stopped = report?.StoppedItems ?? 0;
        var message = $"The run was cancelled after {done} of {report?.Items} items; ";
        if (abandoned > 0)
        {
            message += $"{abandoned} started {(abandoned == 1 ? "item" : "items")} ignored the cancellation and {(abandoned == 1 ? "was" : "were")} abandoned still running (failed with a TimeoutException, by index); ";
        }

        if (stopped > 0)
        {
            message += $"{stopped} {(stopped == 1 ? "item" : "items")} taken by worker processes that outlived the cancellation's grace period {(stopped == 1 ? "was" : "were")} stopped with them, unfinished (counted as not run); ";
        }

        message += abandoned + stopped == 0
            ? "every started item finished before this was thrown."
            : "every other started item finished before this was thrown.";

        // lib48: an input blocked in MoveNext held the cancelled call for good; it is now left behind, and said.
        return report?.InputLeftBehind is { } input ? $"{message} Also, {input}." : message;
    }
}
