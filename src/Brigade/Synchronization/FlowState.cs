namespace Brigade.Synchronization;

/// <summary>
/// What the current logical flow holds asynchronously: a chain of <see cref="AsyncHolder"/>s in an
/// <see cref="AsyncLocal{T}"/>. It is written only in the flow itself (when an acquisition completes synchronously, in
/// the awaiter's <c>GetResult</c>, and when a scope is disposed), so the change is visible to the rest of the flow.
/// </summary>
internal static class FlowState
{
    private static readonly AsyncLocal<AsyncHolder?> Chain = new();
    private static int s_nextFlowId;

    /// <summary>Gets the chain as stored (its head may be released); null without reading it if no async acquisition ever happened.</summary>
    public static AsyncHolder? RawChain
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => SynchronizationPrimitive.AsyncAcquisitionsHappened ? Chain.Value : null;
    }

    /// <summary>Gets the most recent acquisition of the flow that is still held.</summary>
    public static AsyncHolder? ActiveChain => SynchronizationPrimitive.AsyncAcquisitionsHappened ? AsyncHolder.FirstActive(Chain.Value) : null;

    public static int NewFlowId() => Interlocked.Increment(ref s_nextFlowId);

    public static void Push(AsyncHolder holder)
    {
        if (!SynchronizationPrimitive.AsyncAcquisitionsHappened)
        {
            SynchronizationPrimitive.AsyncAcquisitionsHappened = true;
        }

        Chain.Value = holder;
    }

    /// <summary>Marks an acquisition released and drops released links from the head of the chain.</summary>
    public static void Pop(AsyncHolder holder)
    {
        holder.MarkReleased();
        var head = Chain.Value;
        if (head is { IsReleased: true })
        {
            Chain.Value = AsyncHolder.FirstActive(head);
        }
    }

    /// <summary>Gets the identities of a wait: whoever's locks stay held while this flow waits.</summary>
    /// <param name="thread">The waiting thread for a blocking wait; for an async wait, the thread only if it holds synchronous locks.</param>
    /// <param name="chain">The flow's active chain.</param>
    public static Holder[] Identities(ThreadHolder? thread, AsyncHolder? chain)
    {
        var count = thread is null ? 0 : 1;
        for (var c = chain; c is not null; c = c.Next)
        {
            if (!c.IsReleased)
            {
                count++;
            }
        }

        if (count == 0)
        {
            return [];
        }

        var identities = new Holder[count];
        var i = 0;
        if (thread is not null)
        {
            identities[i++] = thread;
        }

        for (var c = chain; c is not null; c = c.Next)
        {
            if (!c.IsReleased)
            {
                identities[i++] = c;
            }
        }

        return identities;
    }
}
