namespace Brigade;

/// <summary>Thrown when a run's input sequence itself throws while it is being read.</summary>
/// <remarks>Items already read were run to completion before this is thrown; <see cref="Report"/> accounts for them.</remarks>
public sealed class SourceFailedException : Exception
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="itemsRead">How many items were read before the source failed.</param>
    /// <param name="report">The report of the items that did run.</param>
    /// <param name="innerException">What the source threw.</param>
    public SourceFailedException(long itemsRead, RunReport report, Exception innerException)
        : base($"The input sequence threw after {itemsRead} items were read: {innerException?.GetType().Name}: {(innerException is null ? null : Internal.ExceptionText.Brief(innerException))}", innerException)
    {
        ItemsRead = itemsRead;
        Report = report;
    }

    /// <summary>Gets how many items were read before the source failed.</summary>
    public long ItemsRead { get; }

    /// <summary>Gets the report of the items that did run.</summary>
    public RunReport Report { get; }

    /// <summary>Gets what the run had computed when this was thrown, to be cast to the call's result type: the
    /// <see cref="RunResult{T}"/> of <c>MapAsync</c> (every item's value, failure or not-run status, by index), the
    /// <see cref="ReduceResult{T}"/> of <c>MapReduceAsync</c> (<see cref="ReduceResult{T}.PartialValue"/>); <see langword="null"/>
    /// from <c>ForEachAsync</c> and streams (a stream's reader received its results as they came), and when the exception
    /// was not thrown by a run (<see cref="RunResult{T}.Values"/>, or built by hand).</summary>
    /// <example><c>catch (SourceFailedException e) when (e.PartialResult is RunResult&lt;Row&gt; done) { Save(done.Where(r =&gt; r.IsSuccess)); }</c></example>
    public object? PartialResult { get; internal init; }
}
