namespace Brigade.Synchronization;

/// <summary>One observed lock order: a holder took <see cref="AcquiredLock"/> while it held <see cref="HeldLock"/>.</summary>
public sealed class LockOrderEdge
{
    internal LockOrderEdge(string holder, string heldLock, AcquisitionSite? heldAt, string acquiredLock, AcquisitionSite? acquiredAt, DateTimeOffset time, int heldId = 0, int acquiredId = 0)
    {
        HeldId = heldId;
        AcquiredId = acquiredId;
        Holder = holder;
        HeldLock = heldLock;
        HeldAt = heldAt;
        AcquiredLock = acquiredLock;
        AcquiredAt = acquiredAt;
        Time = time;
    }

    /// <summary>Gets the held primitive's instance id (names need not be unique).</summary>
    internal int HeldId { get; }

    /// <summary>Gets the acquired primitive's instance id.</summary>
    internal int AcquiredId { get; }

    /// <summary>Gets the thread or async flow that took both.</summary>
    public string Holder { get; }

    /// <summary>Gets the lock it held, such as <c>lock 'A'</c>.</summary>
    public string HeldLock { get; }

    /// <summary>Gets where it took the held lock.</summary>
    public AcquisitionSite? HeldAt { get; }

    /// <summary>Gets the lock it then took.</summary>
    public string AcquiredLock { get; }

    /// <summary>Gets where it took it.</summary>
    public AcquisitionSite? AcquiredAt { get; }

    /// <summary>Gets when this order was first seen.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>Returns the edge as one line of a lock-order report.</summary>
    /// <returns>The edge's text.</returns>
    public override string ToString() =>
        $"{Holder} took {AcquiredLock}{Text.At(AcquiredAt)} while holding {HeldLock}{Text.At(HeldAt, "taken at ")}";
}
