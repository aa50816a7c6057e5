namespace Brigade;

/// <summary>A snapshot of a run's progress.</summary>
/// <param name="Completed">Items that finished, successfully or not.</param>
/// <param name="Failed">Items whose work threw.</param>
/// <param name="Running">Items started and not yet finished (by batch; an estimate for engines that batch).</param>
/// <param name="Total">The number of input items when it is known.</param>
/// <param name="Elapsed">Wall time since the run started.</param>
public readonly record struct RunProgress(long Completed, long Failed, long Running, long? Total, TimeSpan Elapsed)
{
    /// <summary>Gets the item an ordered stream (<see cref="RunOptions.PreserveOrder"/>) waits for while results after it are held:
    /// the reader gets nothing more until it finishes; <see langword="null"/> when nothing is held back.</summary>
    /// <remarks>An ordered stream that stalls on one slow item keeps up to about twice <see cref="RunOptions.StreamCapacity"/>
    /// finished results while its reader waits (review 46); this says which item, for how long, and how many.</remarks>
    public long? OrderedWaitItem { get; init; }

    /// <summary>Gets how long the ordered delivery has waited for <see cref="OrderedWaitItem"/>.</summary>
    public TimeSpan OrderedWaitTime { get; init; }

    /// <summary>Gets how many finished results are held behind <see cref="OrderedWaitItem"/>.</summary>
    public int OrderedHeld { get; init; }

    // lib63: which run's progress calls made this snapshot, and its place among them, so that a run sharing one
    // Progress<T> with another hears only its own handler calls (ProgressCalls). Not part of the value: equality and
    // the hash ignore them, as they did before they existed.
    internal object? Caller { get; init; }

    internal long Sequence { get; init; }

    /// <summary>Gets the completed items per second so far.</summary>
    public double ItemsPerSecond => Elapsed > TimeSpan.Zero ? Completed / Elapsed.TotalSeconds : 0;

    /// <summary>Gets the estimated time until the run finishes, when the total is known and items have finished.</summary>
    public TimeSpan? EstimatedRemaining =>
        Total is { } total && Completed > 0 && ItemsPerSecond > 0
            ? TimeSpan.FromSeconds((total - Completed) / ItemsPerSecond)
            : null;

    /// <summary>Compares the progress figures of two snapshots.</summary>
    /// <param name="other">The other snapshot.</param>
    /// <returns>Whether every figure is equal.</returns>
    public bool Equals(RunProgress other) =>
        Completed == other.Completed && Failed == other.Failed && Running == other.Running && Total == other.Total && Elapsed == other.Elapsed
        && OrderedWaitItem == other.OrderedWaitItem && OrderedWaitTime == other.OrderedWaitTime && OrderedHeld == other.OrderedHeld;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Completed, Failed, Running, Total, Elapsed, OrderedWaitItem, OrderedWaitTime, OrderedHeld);
}
