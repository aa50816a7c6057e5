namespace Brigade.Auto;

/// <summary>What <see cref="WidthRecheck"/> asks of the monitor after a window.</summary>
internal enum WidthRecheckStep
{
    /// <summary>Nothing: the plan runs on as it is.</summary>
    Stay,

    /// <summary>Run two workers for the next window or few (the re-check).</summary>
    Probe,

    /// <summary>The re-check measured enough (or ran its windows): judge <see cref="WidthRecheck.Evidence"/>.</summary>
    Judge,
}
