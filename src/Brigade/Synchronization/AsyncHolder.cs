namespace Brigade.Synchronization;

/// <summary>
/// One asynchronous acquisition, and a link of its flow's held chain. The chain lives in an <see cref="AsyncLocal{T}"/>
/// (<see cref="FlowState"/>), so the owner of an async acquisition is the logical flow, wherever it resumes.
/// </summary>
internal sealed class AsyncHolder(SynchronizationPrimitive primitive, AccessMode mode, CallSite site, AsyncHolder? next, int flowId) : Holder
{
    private int _released;

    public SynchronizationPrimitive Primitive => primitive;

    public AccessMode Mode => mode;

    public CallSite Site => site;

    /// <summary>Gets the acquisition the flow held before this one (released ones are skipped when the chain is read).</summary>
    public AsyncHolder? Next => next;

    /// <summary>Gets the flow's number, shared by every acquisition made while the flow held another.</summary>
    public int FlowId => flowId;

    /// <summary>Gets or sets the grant's serial, set once granted.</summary>
    public long Serial { get; set; }

    public bool IsReleased => Volatile.Read(ref _released) != 0;

    public void MarkReleased() => Volatile.Write(ref _released, 1);

    /// <summary>Gets the flow's number: successive acquisitions of one flow count as one winner.</summary>
    public override object TallyKey => flowId;

    /// <summary>Names the flow by its number and the method where it took its first primitive still chained (a flow has no
    /// name a user would know: "async flow #2" alone sent readers to count flows).</summary>
    public override string Describe()
    {
        var first = this;
        while (first.Next is { } earlier)
        {
            first = earlier;
        }

        return first.Site.Member is { Length: > 0 } member ? $"async flow #{flowId} (from {member})" : $"async flow #{flowId}";
    }

    public override CallSite SiteOf(SynchronizationPrimitive p) => ReferenceEquals(p, primitive) ? site : default;

    /// <summary>Gets the first acquisition of a chain that is not released yet.</summary>
    public static AsyncHolder? FirstActive(AsyncHolder? chain)
    {
        while (chain is { IsReleased: true })
        {
            chain = chain.Next;
        }

        return chain;
    }
}
