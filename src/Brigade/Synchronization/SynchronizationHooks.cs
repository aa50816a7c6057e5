namespace Brigade.Synchronization;

/// <summary>Where an <see cref="ISynchronizationObserver"/> is installed; one volatile read per operation when none is.</summary>
internal static class SynchronizationHooks
{
    private static ISynchronizationObserver? s_observer;

    /// <summary>Gets or sets the process-wide observer (null: none).</summary>
    public static ISynchronizationObserver? Observer
    {
        get => Volatile.Read(ref s_observer);
        set => Volatile.Write(ref s_observer, value);
    }
}
