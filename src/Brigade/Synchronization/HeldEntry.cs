namespace Brigade.Synchronization;

/// <summary>One primitive a thread holds: what, how, which grant, and where it was taken.</summary>
internal struct HeldEntry
{
    public SynchronizationPrimitive Primitive;
    public AccessMode Mode;
    public long Serial;
    public CallSite Site;
}
