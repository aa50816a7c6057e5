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
        : base($"The input sequence threw after {itemsRead} items were read: {innerException?.GetType().Name}: {(innerException is null ? null : Internal.ExceptionText.Message(innerException))}", innerException)
    {
        ItemsRead = itemsRead;
        Report = report;
    }

    /// <summary>Gets how many items were read before the source failed.</summary>
    public long ItemsRead { get; }

    /// <summary>Gets the report of the items that did run.</summary>
    public RunReport Report { get; }
}
