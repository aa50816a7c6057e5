namespace Brigade.Synchronization;

/// <summary>
/// Lets several tools (the race detector, the polite-livelock detector, an exploration scheduler) share the one
/// <see cref="SynchronizationHooks.Observer"/> slot: one installed tool is the observer itself; more are fanned out to in
/// the order they were added.
/// </summary>
internal static class ObserverHub
{
    // Guards s_observers and the installation of SynchronizationHooks.Observer. A leaf.
    private static readonly Lock Gate = new();
    private static ISynchronizationObserver[] s_observers = [];

    public static void Add(ISynchronizationObserver observer)
    {
        lock (Gate)
        {
            s_observers = [.. s_observers, observer];
            Install();
        }
    }

    public static void Remove(ISynchronizationObserver observer)
    {
        lock (Gate)
        {
            s_observers = Array.FindAll(s_observers, o => !ReferenceEquals(o, observer));
            Install();
        }
    }

    private static void Install() =>
        SynchronizationHooks.Observer = s_observers.Length switch
        {
            0 => null,
            1 => s_observers[0],
            _ => new Fan(s_observers),
        };

    private sealed class Fan(ISynchronizationObserver[] observers) : ISynchronizationObserver
    {
        public void OnAcquiring(SynchronizationPrimitive primitive, AccessMode mode) => OnAcquiring(primitive, mode, Timeout.InfiniteTimeSpan);

        public void OnAcquiring(SynchronizationPrimitive primitive, AccessMode mode, TimeSpan timeout)
        {
            foreach (var o in observers)
            {
                o.OnAcquiring(primitive, mode, timeout);
            }
        }

        public void OnAcquireFailed(SynchronizationPrimitive primitive, AccessMode mode)
        {
            foreach (var o in observers)
            {
                o.OnAcquireFailed(primitive, mode);
            }
        }

        public void OnWaiting(SynchronizationPrimitive primitive, AccessMode mode, Holder waiter)
        {
            foreach (var o in observers)
            {
                o.OnWaiting(primitive, mode, waiter);
            }
        }

        public void OnAcquired(SynchronizationPrimitive primitive, AccessMode mode, Holder holder)
        {
            foreach (var o in observers)
            {
                o.OnAcquired(primitive, mode, holder);
            }
        }

        public void OnReleasing(SynchronizationPrimitive primitive, AccessMode mode, Holder holder)
        {
            foreach (var o in observers)
            {
                o.OnReleasing(primitive, mode, holder);
            }
        }
    }
}
