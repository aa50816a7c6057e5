namespace Brigade.Internal;

/// <summary>
/// Starts process-wide threads and timers without the caller's <see cref="ExecutionContext"/>: a thread or timer that
/// outlives the run that happened to create it would otherwise keep that caller's <see cref="AsyncLocal{T}"/> values
/// (and <c>Activity.Current</c>) alive for good, and hand them to whatever it runs later for other callers.
/// </summary>
internal static class DetachedContext
{
    /// <summary>Starts <paramref name="thread"/> with no execution context of the caller's.</summary>
    /// <param name="thread">A thread not started yet.</param>
    public static void Start(Thread thread)
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            thread.Start();
            return;
        }

        using (ExecutionContext.SuppressFlow())
        {
            thread.Start();
        }
    }

    /// <summary>Creates a timer whose callbacks run with no execution context of the caller's.</summary>
    /// <param name="callback">The callback.</param>
    /// <param name="state">Its state.</param>
    /// <param name="dueTime">The first due time.</param>
    /// <param name="period">The period.</param>
    /// <returns>The timer.</returns>
    public static Timer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            return new Timer(callback, state, dueTime, period);
        }

        using (ExecutionContext.SuppressFlow())
        {
            return new Timer(callback, state, dueTime, period);
        }
    }
}
