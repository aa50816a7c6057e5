namespace Brigade.Engines;

/// <summary>How the engine running the current item waits for it, for work that can make use of it.</summary>
/// <remarks>
/// An engine that runs asynchronous work on threads of its own (<see cref="Engine.Threads"/>, auto mode's dedicated
/// threads) calls the work and then blocks the thread until the returned task completes. Completing that task from
/// another thread costs a hop: whatever completes the operation the work awaits queues the work's continuation to the
/// thread pool, which then completes the task and wakes the blocked thread. Work that waits for one operation (a
/// child process, a reply) may instead wait for it synchronously while <see cref="CallerBlocks"/> is
/// <see langword="true"/>: the same result, and the thread is woken by whatever completes the operation.
/// </remarks>
internal static class ItemInvocation
{
    [ThreadStatic]
    private static bool t_callerBlocks;

    /// <summary>
    /// Gets whether the current thread is an engine's own thread that is calling an asynchronous item and will block
    /// until the item's task completes.
    /// </summary>
    /// <value>
    /// <see langword="true"/> only during the synchronous part of the work's call on such a thread (not in its
    /// continuations, which run elsewhere). Work that starts several operations at once must not block on the first
    /// because of it: that would run them one after another.
    /// </value>
    internal static bool CallerBlocks => t_callerBlocks;

    // Around the call of the work by a blocking engine thread; returns what to restore.
    internal static bool Enter()
    {
        var was = t_callerBlocks;
        t_callerBlocks = true;
        return was;
    }

    internal static void Exit(bool was) => t_callerBlocks = was;
}
