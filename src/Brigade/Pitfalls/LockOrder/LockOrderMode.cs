namespace Brigade.Synchronization;

/// <summary>What lock-order checking does when an acquisition inverts an order seen before (see <see cref="Diagnostics.PitfallDiagnostics.LockOrderMode"/>).</summary>
public enum LockOrderMode
{
    /// <summary>No lock-order checking: nested acquisitions cost nothing extra.</summary>
    Off = 0,

    /// <summary>Report each inversion once (event, log, counter) and let the acquisition go on.</summary>
    Report = 1,

    /// <summary>Report each inversion once and throw <see cref="LockOrderException"/> from every acquisition that inverts the order, before it waits.</summary>
    Throw = 2,
}
