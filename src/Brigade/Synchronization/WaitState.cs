namespace Brigade.Synchronization;

/// <summary>Where a <see cref="WaitNode"/> is in its life; changed only under its primitive's queue lock.</summary>
internal enum WaitState
{
    /// <summary>In the queue, blocked.</summary>
    Queued,

    /// <summary>In the queue, woken to retry (unfair primitives): it competes with newcomers.</summary>
    Woken,

    /// <summary>Out of the queue, owning the primitive (taken on retry, or handed off by a fair primitive).</summary>
    Granted,

    /// <summary>Out of the queue, not owning it: timed out, cancelled, or refused as a deadlock.</summary>
    Abandoned,
}
