namespace Brigade.Synchronization;

/// <summary>One edge of a deadlock cycle: a waiter, what it waits for, and who holds that.</summary>
public sealed class DeadlockEdge
{
    internal DeadlockEdge(string waiter, string resource, AcquisitionSite? waitingAt, string owner, AcquisitionSite? ownerAcquiredAt)
    {
        Waiter = waiter;
        Resource = resource;
        WaitingAt = waitingAt;
        Owner = owner;
        OwnerAcquiredAt = ownerAcquiredAt;
    }

    /// <summary>Gets the waiter: a thread, such as <c>thread 'worker-1' (#12)</c>, or an async flow, such as <c>async flow #7</c>.</summary>
    public string Waiter { get; }

    /// <summary>Gets what it waits for, such as <c>lock 'accounts'</c> or <c>write lock on 'cache'</c>.</summary>
    public string Resource { get; }

    /// <summary>Gets where the waiter asked for it.</summary>
    public AcquisitionSite? WaitingAt { get; }

    /// <summary>Gets who holds it (the next waiter of the cycle).</summary>
    public string Owner { get; }

    /// <summary>Gets where the owner took it.</summary>
    public AcquisitionSite? OwnerAcquiredAt { get; }

    /// <summary>Returns the edge as one line of a deadlock report.</summary>
    /// <returns>The edge's text.</returns>
    public override string ToString() =>
        $"{Waiter} waits for {Resource}{Text.At(WaitingAt)}, held by {Owner}{Text.At(OwnerAcquiredAt, "taken at ")}";
}
