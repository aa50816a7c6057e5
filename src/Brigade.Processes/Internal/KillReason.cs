namespace Brigade.Processes.Internal;

/// <summary>Why Brigade itself killed a worker, if it did.</summary>
internal enum KillReason
{
    /// <summary>Brigade did not kill it: it crashed, exited, or was killed from outside.</summary>
    None,

    /// <summary>An item ran past <see cref="ProcessEngineOptions.ItemTimeout"/>.</summary>
    ItemTimeout,

    /// <summary>The worker did not answer within <see cref="ProcessEngineOptions.StartTimeout"/>.</summary>
    StartTimeout,

    /// <summary>The run was cancelled and the worker did not finish its batch within the grace period.</summary>
    Canceled,

    /// <summary>The engine was disposed.</summary>
    Disposed,
}
