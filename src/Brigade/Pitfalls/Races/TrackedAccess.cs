namespace Brigade.Diagnostics;

/// <summary>
/// What watches accesses to tracked variables: the race detector and an exploration scheduler. One volatile read of
/// <see cref="Enabled"/> per access when neither is installed.
/// </summary>
internal static class TrackedAccess
{
    private static RaceDetector? s_detector;
    private static ITrackedAccessScheduler? s_scheduler;
    private static volatile bool s_enabled;

    /// <summary>Gets whether anything watches tracked accesses.</summary>
    public static bool Enabled => s_enabled;

    public static RaceDetector? Detector
    {
        get => Volatile.Read(ref s_detector);
        set
        {
            Volatile.Write(ref s_detector, value);
            s_enabled = value is not null || Scheduler is not null;
        }
    }

    /// <summary>Gets or sets the exploration scheduler, called before every tracked access (a scheduling point).</summary>
    public static ITrackedAccessScheduler? Scheduler
    {
        get => Volatile.Read(ref s_scheduler);
        set
        {
            Volatile.Write(ref s_scheduler, value);
            s_enabled = value is not null || Detector is not null;
        }
    }
}
