using System.Diagnostics.Tracing;

namespace Brigade.Doctor.Live;

/// <summary>
/// Listens to the runtime's contention events (keyword 0x4000): <c>ContentionStart</c> when a thread starts waiting to
/// enter a <c>lock</c>/<c>Monitor</c> or a <c>System.Threading.Lock</c>, <c>ContentionStop</c> when it got in. An
/// uncontended acquisition raises no event at all; for a contended one this records the start time of the thread's wait
/// and forgets it at the stop, allocating nothing of its own.
/// </summary>
internal sealed class ContentionListener : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords ContentionKeyword = (EventKeywords)0x4000;
    private const int ContentionStartV2 = 81;
    private const int ContentionStop = 91;

    // Guards _waits: OS thread id -> when its current contention started (UTC ticks). A leaf lock.
    private readonly Lock _gate = new();
    private readonly Dictionary<long, long> _waits = [];
    private volatile bool _ready;

    public ContentionListener()
    {
        // EventListener's constructor raises OnEventSourceCreated for existing sources before this body runs.
        _ready = true;
        foreach (var source in EventSource.GetSources())
        {
            Enable(source);
        }
    }

    /// <summary>The OS thread whose events are ignored: the watch's own, whose analysis takes locks.</summary>
    public long IgnoredThread { get; set; } = -1;

    /// <summary>Copies the current contentions (OS thread id, start ticks) into <paramref name="into"/>.</summary>
    public void Snapshot(List<(long Thread, long StartTicks)> into)
    {
        into.Clear();
        lock (_gate)
        {
            foreach (var (thread, start) in _waits)
            {
                into.Add((thread, start));
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (_ready)
        {
            Enable(eventSource);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        var thread = eventData.OSThreadId;
        if (thread == IgnoredThread)
        {
            return;
        }

        switch (eventData.EventId)
        {
            case ContentionStartV2:
                lock (_gate)
                {
                    _waits[thread] = eventData.TimeStamp.ToUniversalTime().Ticks;
                }

                break;
            case ContentionStop:
                lock (_gate)
                {
                    _waits.Remove(thread);
                }

                break;
        }
    }

    private void Enable(EventSource source)
    {
        if (source.Name == RuntimeSource)
        {
            EnableEvents(source, EventLevel.Informational, ContentionKeyword);
        }
    }
}
