namespace Brigade.Synchronization;

/// <summary>
/// The hook at every synchronization point of Brigade's primitives, for tools built on them: a race detector (its
/// happens-before edges come from release → acquire of the same primitive) and a systematic-exploration scheduler (which
/// takes control at each point to choose the next interleaving). Install one with <see cref="SynchronizationHooks.Observer"/>.
/// </summary>
/// <remarks>
/// Calls run on the thread (or in the async flow) that makes the operation, never under a Brigade lock, and are made
/// whether or not the primitive detects pitfalls. An observer must not throw.
/// </remarks>
internal interface ISynchronizationObserver
{
    /// <summary>Before an acquisition attempt: a scheduling point.</summary>
    void OnAcquiring(SynchronizationPrimitive primitive, AccessMode mode);

    /// <summary>Before an acquisition attempt, with how long it may wait (<see cref="TimeSpan.Zero"/>: it only tries;
    /// <see cref="Timeout.InfiniteTimeSpan"/>: it waits until acquired). The primitives call this overload.</summary>
    void OnAcquiring(SynchronizationPrimitive primitive, AccessMode mode, TimeSpan timeout) => OnAcquiring(primitive, mode);

    /// <summary>A try-acquisition gave up: the primitive was not free (<see cref="TimeSpan.Zero"/>) or the timeout elapsed.</summary>
    void OnAcquireFailed(SynchronizationPrimitive primitive, AccessMode mode)
    {
    }

    /// <summary>The acquisition must wait: it is queued, and (when detecting) registered in the wait-for graph.</summary>
    /// <remarks>Called after the waiter became visible in the queue, outside the queue lock: on free-running threads a
    /// release that serves this waiter can be observed before this call (a controlling scheduler runs one at a time).</remarks>
    void OnWaiting(SynchronizationPrimitive primitive, AccessMode mode, Holder waiter);

    /// <summary>After an acquisition, in the acquiring flow (for async waits: when the awaiter resumes).</summary>
    void OnAcquired(SynchronizationPrimitive primitive, AccessMode mode, Holder holder);

    /// <summary>Before a release takes effect, in the releasing flow.</summary>
    void OnReleasing(SynchronizationPrimitive primitive, AccessMode mode, Holder holder);
}
