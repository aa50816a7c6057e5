namespace Brigade.Auto;

/// <summary>A run's controller as <see cref="AutoTicker"/> sees it.</summary>
internal interface IAutoController
{
    /// <summary>Gets when the next tick is due, as a <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    long DueTimestamp { get; }

    /// <summary>
    /// Samples, decides, re-plans; sets the next <see cref="DueTimestamp"/>. Does nothing when no tick is due any more (a
    /// worker ticked since the caller saw it due). Never throws.
    /// </summary>
    void Tick();
}
