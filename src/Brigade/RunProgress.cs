namespace Brigade;

/// <summary>A snapshot of a run's progress.</summary>
/// <param name="Completed">Items that finished, successfully or not.</param>
/// <param name="Failed">Items whose work threw.</param>
/// <param name="Running">Items started and not yet finished (by batch; an estimate for engines that batch).</param>
/// <param name="Total">The number of input items when it is known.</param>
/// <param name="Elapsed">Wall time since the run started.</param>
public readonly record struct RunProgress(long Completed, long Failed, long Running, long? Total, TimeSpan Elapsed)
{
    /// <summary>Gets the completed items per second so far.</summary>
    public double ItemsPerSecond => Elapsed > TimeSpan.Zero ? Completed / Elapsed.TotalSeconds : 0;

    /// <summary>Gets the estimated time until the run finishes, when the total is known and items have finished.</summary>
    public TimeSpan? EstimatedRemaining =>
        Total is { } total && Completed > 0 && ItemsPerSecond > 0
            ? TimeSpan.FromSeconds((total - Completed) / ItemsPerSecond)
            : null;
}
