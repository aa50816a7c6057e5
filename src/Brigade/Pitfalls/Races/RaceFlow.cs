namespace Brigade.Diagnostics;

/// <summary>
/// A thread or logical flow as the race detector sees it: a slot and a vector clock (one entry per slot: the last time
/// of that slot this flow is ordered after). Only the flow itself changes its clock; joins made from other threads (the
/// end of a run, delivered to the flow that started it) go through an inbox the flow merges at its next operation.
/// </summary>
internal sealed class RaceFlow
{
    private int[]? _inbox;
    private volatile bool _finished;

    public RaceFlow(RaceDetector detector, int slot, int[] clock, string name, Thread? thread)
    {
        Detector = detector;
        Slot = slot;
        Clock = clock;
        Name = name;
        Thread = thread;
    }

    public RaceDetector Detector { get; }

    /// <summary>Gets the slot; -1 for a flow beyond <see cref="RaceDetectorOptions.MaxFlows"/>, which is not tracked.</summary>
    public int Slot { get; }

    /// <summary>Gets the vector clock; indexes past its length are 0.</summary>
    public int[] Clock { get; private set; }

    public string Name { get; }

    /// <summary>Gets the thread of a thread flow (its slot is recycled when the thread has exited); null for logical flows.</summary>
    public Thread? Thread { get; }

    public bool IsTracked => Slot >= 0;

    public bool Finished => _finished;

    /// <summary>Gets the flow's current epoch: its slot and its own time.</summary>
    public long Epoch => Slot >= 0 ? RaceEpoch.Of(Slot, Clock[Slot]) : RaceEpoch.None;

    /// <summary>Gets this flow's knowledge of <paramref name="slot"/>'s time.</summary>
    public int TimeOf(int slot)
    {
        var clock = Clock;
        return (uint)slot < (uint)clock.Length ? clock[slot] : 0;
    }

    /// <summary>Merges joins posted by other threads; one field read when there are none.</summary>
    public void MergeInbox()
    {
        if (Volatile.Read(ref _inbox) is not null && Interlocked.Exchange(ref _inbox, null) is { } posted)
        {
            Join(posted);
        }
    }

    /// <summary>Posts a join from another thread: this flow becomes ordered after <paramref name="clock"/> at its next operation.</summary>
    public void Post(int[] clock)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inbox);
            var merged = current is null ? (int[])clock.Clone() : VectorClock.Joined(current, clock);
            if (Interlocked.CompareExchange(ref _inbox, merged, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>Joins <paramref name="other"/> into this flow's clock; only in this flow.</summary>
    public void Join(int[] other) => Clock = VectorClock.JoinInto(Clock, other);

    /// <summary>Advances this flow's own time, after it published its clock (a release, a fork).</summary>
    public void Tick()
    {
        if (Slot >= 0)
        {
            var now = ++Clock[Slot];
            Detector.RecordSlotTime(Slot, now);
        }
    }

    public int[] Snapshot() => (int[])Clock.Clone();

    public void Finish() => _finished = true;

    public override string ToString() => Name;
}
