using System.Diagnostics.Tracing;

namespace Brigade.Doctor.Live;

/// <summary>
/// Listens to the runtime's contention events (keyword 0x4000): <c>ContentionStart</c> when a thread starts waiting to
/// enter a <c>lock</c>/<c>Monitor</c> or a <c>System.Threading.Lock</c>, <c>ContentionStop</c> when it got in. An
/// uncontended acquisition raises no event at all; for a contended one this records the start time of the thread's wait
/// and the lock, and forgets them at the stop, allocating nothing of its own. While the watch checks a diagnosis, it
/// also records which threads' waits ended (<see cref="TrackEnds"/>).
/// </summary>
/// <remarks>The runtime's events reach a listener through an event pipe, some time after they happened (more on a loaded
/// machine): the watch makes a marker contention and waits for its event to know that earlier ones arrived.
/// The runtime raises <c>ContentionStop</c> when a <c>Monitor</c> wait ends, by entry or by a
/// <c>TryEnter</c> timeout, but (.NET 10) not when a <c>System.Threading.Lock.TryEnter</c> times out: such a wait stays
/// recorded until the thread's next contention.</remarks>
internal sealed class ContentionListener : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords ContentionKeyword = (EventKeywords)0x4000;
    private const int ContentionStartV2 = 81;
    private const int ContentionStop = 91;

    // Guards _waits, _ends and _tracking. A leaf lock.
    private readonly Lock _gate = new();

    // OS thread id -> when its current contention started (UTC ticks), the lock's id and its holder's OS thread id.
    private readonly Dictionary<long, (long StartTicks, long LockId, long Owner)> _waits = [];

    // While _tracking: OS thread id -> when its latest contention ended (UTC ticks). Empty otherwise.
    private readonly Dictionary<long, long> _ends = [];
    private bool _tracking;
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

    /// <summary>The OS thread whose contentions are markers (the live watch makes them to know that earlier events arrived), not waits.</summary>
    public long MarkerThread
    {
        get => Volatile.Read(ref _markerThread);
        set => Volatile.Write(ref _markerThread, value);
    }

    private long _markerThread = -1;
    private int _markers;

    /// <summary>Gets how many marker contentions ended, as far as the events delivered so far tell.</summary>
    public int MarkersSeen => Volatile.Read(ref _markers);

    /// <summary>Copies the current contentions (OS thread id, start ticks, lock, holder) into <paramref name="into"/>.</summary>
    public void Snapshot(List<ContentionWait> into)
    {
        into.Clear();
        lock (_gate)
        {
            foreach (var (thread, (start, lockId, owner)) in _waits)
            {
                into.Add(new ContentionWait(thread, start, lockId, owner));
            }
        }
    }

    /// <summary>Forgets <paramref name="wait"/> if it is still the thread's current one (same start): a dump showed the
    /// thread not waiting on a lock, so this wait ended without a <c>ContentionStop</c> (a <c>System.Threading.Lock.TryEnter</c>
    /// that timed out, .NET 10) or its stop is late. A newer wait of the thread is kept.</summary>
    /// <returns>Whether it was forgotten.</returns>
    public bool Forget(ContentionWait wait)
    {
        lock (_gate)
        {
            return _waits.TryGetValue(wait.Thread, out var current) && current.StartTicks == wait.StartTicks && _waits.Remove(wait.Thread);
        }
    }

    /// <summary>Starts recording the ends of waits (until <see cref="StopTrackingEnds"/>), forgetting earlier ones.</summary>
    public void TrackEnds()
    {
        lock (_gate)
        {
            _ends.Clear();
            _tracking = true;
        }
    }

    /// <summary>Stops recording the ends of waits, and forgets them.</summary>
    public void StopTrackingEnds()
    {
        lock (_gate)
        {
            _tracking = false;
            _ends.Clear();
        }
    }

    /// <summary>Gets whether a wait of <paramref name="thread"/> ended at or after <paramref name="ticks"/> (UTC), while ends were tracked.</summary>
    public bool EndedSince(long thread, long ticks)
    {
        lock (_gate)
        {
            return _ends.TryGetValue(thread, out var end) && end >= ticks;
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

        if (thread == MarkerThread)
        {
            if (eventData.EventId == ContentionStop)
            {
                Interlocked.Increment(ref _markers);
            }

            return;
        }

        switch (eventData.EventId)
        {
            case ContentionStartV2:
                var lockId = Payload(eventData, "LockID");
                var owner = Payload(eventData, "LockOwnerThreadID");
                lock (_gate)
                {
                    _waits[thread] = (eventData.TimeStamp.ToUniversalTime().Ticks, lockId, owner);
                }

                break;
            case ContentionStop:
                lock (_gate)
                {
                    _waits.Remove(thread);
                    if (_tracking)
                    {
                        _ends[thread] = eventData.TimeStamp.ToUniversalTime().Ticks;
                    }
                }

                break;
        }
    }

    private static long Payload(EventWrittenEventArgs eventData, string name)
    {
        // ContentionStart_V2: ContentionFlags, ClrInstanceID, LockID, AssociatedObjectID, LockOwnerThreadID. The holder is
        // its OS thread id, for a lock/Monitor and a System.Threading.Lock alike (.NET 10, checked in review 50).
        var names = eventData.PayloadNames;
        var payload = eventData.Payload;
        if (names is null || payload is null)
        {
            return 0;
        }

        var index = names.IndexOf(name);
        return index < 0 || index >= payload.Count ? 0 : payload[index] switch
        {
            nint value => value,
            nuint value => unchecked((long)value),
            long value => value,
            ulong value => unchecked((long)value),
            _ => 0,
        };
    }

    private void Enable(EventSource source)
    {
        if (source.Name == RuntimeSource)
        {
            EnableEvents(source, EventLevel.Informational, ContentionKeyword);
        }
    }
}
