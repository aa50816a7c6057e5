namespace Brigade.Synchronization;

/// <summary>One primitive a thread holds: what, how, which grant, and where it was taken.</summary>
/// <remarks>Stored field by field (not as a <see cref="CallSite"/>) so that a push can skip rewriting references that
/// are already there: each reference store into the array costs a GC write-barrier call.</remarks>
internal struct HeldEntry
{
    public SynchronizationPrimitive Primitive;
    public AccessMode Mode;
    public long Serial;
    public string? Member;
    public string? File;
    public int Line;
    public System.Diagnostics.StackTrace? Trace;

    public readonly CallSite Site => new(Member, File, Line, Trace);
}
