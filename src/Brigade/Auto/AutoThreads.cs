namespace Brigade.Auto;

/// <summary>Counts auto mode's dedicated threads, for tests that check no thread outlives its run.</summary>
internal static class AutoThreads
{
#pragma warning disable CA2211 // A counter updated with Interlocked needs to be a field.
    /// <summary>The number of auto-mode dedicated threads alive in the process.</summary>
    public static int Live;
#pragma warning restore CA2211
}
