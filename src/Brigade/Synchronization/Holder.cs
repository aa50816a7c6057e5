namespace Brigade.Synchronization;

/// <summary>
/// Who holds a primitive, as the wait-for graph sees it: a thread (<see cref="ThreadHolder"/>) for synchronous
/// acquisitions, one acquisition of an async flow (<see cref="AsyncHolder"/>) for asynchronous ones.
/// </summary>
internal abstract class Holder
{
    // The waits of the flows this holder belongs to: usually none or one (a task started while a lock was held inherits
    // its flow, so there can be more). Guarded by WaitForGraph.Gate; read without it only as a hint.
    private WaitNode? _wait;
    private List<WaitNode>? _moreWaits;

    /// <summary>Gets this holder as a thread, or null: a field read instead of a type test on hot paths.</summary>
    public ThreadHolder? AsThread { get; private protected init; }

    /// <summary>Gets whether some flow of this holder is registered as waiting (a racy hint: don't spin for a blocked owner).</summary>
    public bool IsWaitingHint => Volatile.Read(ref _wait) is not null;

    /// <summary>Gets a description for reports, such as <c>thread 'worker' (#12)</c>.</summary>
    public abstract string Describe();

    /// <summary>Gets where this holder took <paramref name="primitive"/>.</summary>
    public abstract CallSite SiteOf(SynchronizationPrimitive primitive);

    /// <summary>Gets the key under which starvation tracking counts this holder's wins.</summary>
    public virtual object TallyKey => this;

    /// <summary>Adds a wait; under <see cref="WaitForGraph.Gate"/>.</summary>
    public void AddWait(WaitNode node)
    {
        if (_wait is null)
        {
            Volatile.Write(ref _wait, node);
        }
        else
        {
            (_moreWaits ??= []).Add(node);
        }
    }

    /// <summary>Removes a wait; under <see cref="WaitForGraph.Gate"/>.</summary>
    public void RemoveWait(WaitNode node)
    {
        if (ReferenceEquals(_wait, node))
        {
            if (_moreWaits is { Count: > 0 } more)
            {
                Volatile.Write(ref _wait, more[^1]);
                more.RemoveAt(more.Count - 1);
            }
            else
            {
                Volatile.Write(ref _wait, null);
            }
        }
        else
        {
            _moreWaits?.Remove(node);
        }
    }

    /// <summary>Copies the waits into <paramref name="into"/>; under <see cref="WaitForGraph.Gate"/>.</summary>
    public void CopyWaits(List<WaitNode> into)
    {
        if (_wait is not null)
        {
            into.Add(_wait);
            if (_moreWaits is not null)
            {
                into.AddRange(_moreWaits);
            }
        }
    }
}
