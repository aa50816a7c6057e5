using System.Runtime.CompilerServices;

namespace Brigade.Diagnostics;

/// <summary>
/// Creates the process-wide meter, activity source and instruments (<see cref="Telemetry"/>) on a thread-pool thread,
/// ahead of the first run, for an engine whose first run is the expensive one (the process engine's first pool).
/// </summary>
/// <remarks>
/// Their first creation in a process costs tens of milliseconds that are not Brigade's: the runtime's
/// <c>ActivitySource</c> and <c>Meter</c> create their EventSources (for out-of-process tools) on first use. Begun
/// here, that overlaps what the caller does before its first run instead of delaying the run's start. Nothing changes
/// for listeners: the objects are the same, created once; a run that reaches them first waits for their creation, as
/// it would have made them itself, and a listener attached at any time still sees every instrument and every run.
/// The flag lives in this class, not in <see cref="Telemetry"/>, so that asking does not create them on the caller's
/// thread.
/// </remarks>
internal static class TelemetryWarmUp
{
    private static int _started;

    /// <summary>Queues the creation once per process; returns at once.</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(
            static _ =>
            {
                try
                {
                    RuntimeHelpers.RunClassConstructor(typeof(Telemetry).TypeHandle);
                }
                catch (TypeInitializationException)
                {
                    // The run that uses them meets the same exception, where it can be reported.
                }
            },
            null);
    }
}
