namespace Brigade.Synchronization;

/// <summary>
/// What a queue operation decided under the queue lock and must do after leaving it: wake or grant waiters, publish
/// starvation reports. Collected under the lock, sent outside it, so no continuation, handler or wake-up runs under it.
/// </summary>
internal struct Signals
{
    private WaitNode? _first;
    private List<WaitNode>? _more;
    private List<StarvationFinding>? _starved;

    public void Add(WaitNode node)
    {
        if (_first is null)
        {
            _first = node;
        }
        else
        {
            (_more ??= []).Add(node);
        }
    }

    public void AddStarved(StarvationFinding finding) => (_starved ??= []).Add(finding);

    /// <summary>Sends the signals; never under a lock.</summary>
    public readonly void Send(SynchronizationPrimitive primitive)
    {
        if (_first is not null)
        {
            primitive.Signal(_first);
            if (_more is not null)
            {
                foreach (var node in _more)
                {
                    primitive.Signal(node);
                }
            }
        }

        if (_starved is not null)
        {
            foreach (var finding in _starved)
            {
                primitive.Diagnostics.Publish(finding.ToReport(primitive));
            }
        }
    }
}
