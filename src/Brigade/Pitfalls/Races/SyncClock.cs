namespace Brigade.Diagnostics;

/// <summary>The clock of a synchronization object: what its releases published, for its acquisitions to join.</summary>
internal sealed class SyncClock
{
    // Guards _clock: releases and acquisitions of one object can come from several flows at once (semaphore permits,
    // readers). A leaf.
    private readonly Lock _gate = new();
    private int[] _clock = [];

    /// <summary>A release: the object's clock takes in <paramref name="flow"/>'s; then the flow's time advances.</summary>
    public void Release(RaceFlow flow)
    {
        lock (_gate)
        {
            _clock = VectorClock.JoinInto(_clock, flow.Clock);
        }

        flow.Tick();
    }

    /// <summary>An acquisition: <paramref name="flow"/> becomes ordered after every release so far.</summary>
    public void Acquire(RaceFlow flow)
    {
        int[] clock;
        lock (_gate)
        {
            clock = _clock;
            if (clock.Length == 0)
            {
                return;
            }

            flow.Join(clock);
        }
    }

    /// <summary>Takes in a clock without a flow (the end of a worker's batch, posted to a run's completion).</summary>
    public void Add(int[] clock)
    {
        lock (_gate)
        {
            _clock = VectorClock.JoinInto(_clock, clock);
        }
    }

    public int[] Snapshot()
    {
        lock (_gate)
        {
            return (int[])_clock.Clone();
        }
    }
}
