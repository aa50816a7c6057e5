namespace Brigade.Auto;

/// <summary>
/// What auto mode measured over some batches: totals for batches that ran on one thread start to finish, and for
/// asynchronous items that went in flight. Samples add and subtract, so a window is the difference of two snapshots.
/// </summary>
/// <remarks>All times are in <see cref="TimeSpan"/> ticks (100 ns).</remarks>
internal readonly record struct WorkSample
{
    /// <summary>Gets the items of batches that ran on one thread (synchronous work, or asynchronous work that completed synchronously).</summary>
    public long Items { get; init; }

    /// <summary>Gets the number of such batches.</summary>
    public long Batches { get; init; }

    /// <summary>Gets their wall time.</summary>
    public long WallTicks { get; init; }

    /// <summary>Gets the CPU time, on the thread that ran them, of the batches whose CPU time was read (see <see cref="CpuMeasuredWallTicks"/>), plus CPU time reported through <see cref="ExternalCpuTime"/>.</summary>
    public long CpuTicks { get; init; }

    /// <summary>Gets the wall time of the batches whose CPU time was read, to extrapolate it to all (short batches skip the ~1 µs reading).</summary>
    public long CpuMeasuredWallTicks { get; init; }

    /// <summary>Gets the run-queue wait measured on some of them (Linux).</summary>
    public long RunQueueTicks { get; init; }

    /// <summary>Gets the wall time of the batches whose run-queue wait was measured, to extrapolate it to all.</summary>
    public long RunQueueMeasuredWallTicks { get; init; }

    /// <summary>Gets the garbage collector's pause time while they ran.</summary>
    public long GcPauseTicks { get; init; }

    /// <summary>Gets the bytes they allocated.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>Gets the asynchronous items that went in flight (their work returned an unfinished task).</summary>
    public long PendingItems { get; init; }

    /// <summary>Gets their time in flight, from start to finish.</summary>
    public long PendingWallTicks { get; init; }

    /// <summary>Gets the CPU time of their synchronous part, plus reported external CPU time.</summary>
    public long PendingCpuTicks { get; init; }

    /// <summary>Gets every measured item.</summary>
    public long TotalItems => Items + PendingItems;

    /// <summary>Gets the estimated run-queue wait of all batches that ran on one thread.</summary>
    public long EstimatedRunQueueTicks =>
        RunQueueMeasuredWallTicks > 0 ? (long)(RunQueueTicks * ((double)WallTicks / RunQueueMeasuredWallTicks)) : 0;

    /// <summary>Gets the estimated CPU time of all batches that ran on one thread. With no batch read (all were a few
    /// microseconds long), the batches count as computation: nothing that short waits for a device.</summary>
    public long EstimatedCpuTicks =>
        CpuMeasuredWallTicks > 0 ? (long)(CpuTicks * ((double)WallTicks / CpuMeasuredWallTicks)) : Math.Max(0, WallTicks - EstimatedRunQueueTicks - GcPauseTicks);

    /// <summary>Gets the time items spent off the CPU for reasons of their own (I/O, sleeps, locks): wall minus CPU, run-queue wait and GC pauses.</summary>
    public long WaitTicks => Math.Max(0, WallTicks - EstimatedCpuTicks - EstimatedRunQueueTicks - GcPauseTicks);

    /// <summary>Gets whether the measured items are mostly asynchronous items in flight.</summary>
    public bool MostlyInFlight => PendingItems > 0 && PendingItems * 2 >= TotalItems;

    /// <summary>Gets the share of an item's own time spent on a CPU: CPU / (CPU + own waits). Time spent waiting for a core does not count.</summary>
    public double CpuRatio
    {
        get
        {
            if (MostlyInFlight)
            {
                return PendingWallTicks > 0 ? Math.Clamp((double)PendingCpuTicks / PendingWallTicks, 0, 1) : 0;
            }

            var cpu = EstimatedCpuTicks;
            var active = cpu + WaitTicks;
            return active > 0 ? Math.Clamp((double)cpu / active, 0, 1) : 1;
        }
    }

    /// <summary>Gets the share of wall time spent waiting for a core (0 to 1).</summary>
    public double Contention => WallTicks > 0 ? Math.Clamp((double)EstimatedRunQueueTicks / WallTicks, 0, 1) : 0;

    /// <summary>Gets the time one item takes on an idle machine: wall time minus run-queue wait, per item; for work in flight, the time in flight.</summary>
    public TimeSpan TimePerItem => MostlyInFlight
        ? TimeSpan.FromTicks(PendingWallTicks / Math.Max(1, PendingItems))
        : Items > 0 ? TimeSpan.FromTicks(Math.Max(0, WallTicks - EstimatedRunQueueTicks) / Items) : TimeSpan.Zero;

    /// <summary>Gets the CPU time per item.</summary>
    public TimeSpan CpuTimePerItem => MostlyInFlight
        ? TimeSpan.FromTicks(PendingCpuTicks / Math.Max(1, PendingItems))
        : Items > 0 ? TimeSpan.FromTicks(EstimatedCpuTicks / Items) : TimeSpan.Zero;

    /// <summary>Gets the off-CPU wait per item (not counting run-queue wait or GC pauses).</summary>
    public TimeSpan WaitPerItem => Items > 0 ? TimeSpan.FromTicks(WaitTicks / Items) : TimeSpan.Zero;

    /// <summary>Gets the bytes allocated per item.</summary>
    public double AllocatedBytesPerItem => Items > 0 ? (double)AllocatedBytes / Items : 0;

    /// <summary>Adds two samples.</summary>
    public static WorkSample operator +(WorkSample a, WorkSample b) => new()
    {
        Items = a.Items + b.Items,
        Batches = a.Batches + b.Batches,
        WallTicks = a.WallTicks + b.WallTicks,
        CpuTicks = a.CpuTicks + b.CpuTicks,
        CpuMeasuredWallTicks = a.CpuMeasuredWallTicks + b.CpuMeasuredWallTicks,
        RunQueueTicks = a.RunQueueTicks + b.RunQueueTicks,
        RunQueueMeasuredWallTicks = a.RunQueueMeasuredWallTicks + b.RunQueueMeasuredWallTicks,
        GcPauseTicks = a.GcPauseTicks + b.GcPauseTicks,
        AllocatedBytes = a.AllocatedBytes + b.AllocatedBytes,
        PendingItems = a.PendingItems + b.PendingItems,
        PendingWallTicks = a.PendingWallTicks + b.PendingWallTicks,
        PendingCpuTicks = a.PendingCpuTicks + b.PendingCpuTicks,
    };

    /// <summary>Subtracts an earlier snapshot from a later one: what happened in between.</summary>
    public static WorkSample operator -(WorkSample a, WorkSample b) => new()
    {
        Items = a.Items - b.Items,
        Batches = a.Batches - b.Batches,
        WallTicks = a.WallTicks - b.WallTicks,
        CpuTicks = a.CpuTicks - b.CpuTicks,
        CpuMeasuredWallTicks = a.CpuMeasuredWallTicks - b.CpuMeasuredWallTicks,
        RunQueueTicks = a.RunQueueTicks - b.RunQueueTicks,
        RunQueueMeasuredWallTicks = a.RunQueueMeasuredWallTicks - b.RunQueueMeasuredWallTicks,
        GcPauseTicks = a.GcPauseTicks - b.GcPauseTicks,
        AllocatedBytes = a.AllocatedBytes - b.AllocatedBytes,
        PendingItems = a.PendingItems - b.PendingItems,
        PendingWallTicks = a.PendingWallTicks - b.PendingWallTicks,
        PendingCpuTicks = a.PendingCpuTicks - b.PendingCpuTicks,
    };

    /// <summary>Builds a sample from per-item figures, for cached plans and tests.</summary>
    public static WorkSample FromPerItem(long items, TimeSpan wallPerItem, TimeSpan cpuPerItem, TimeSpan runQueuePerItem = default, double allocatedBytesPerItem = 0) => new()
    {
        Items = items,
        Batches = Math.Max(1, items),
        WallTicks = wallPerItem.Ticks * items,
        CpuTicks = cpuPerItem.Ticks * items,
        CpuMeasuredWallTicks = wallPerItem.Ticks * items,
        RunQueueTicks = runQueuePerItem.Ticks * items,
        RunQueueMeasuredWallTicks = runQueuePerItem > TimeSpan.Zero ? wallPerItem.Ticks * items : 0,
        AllocatedBytes = (long)(allocatedBytesPerItem * items),
    };

    /// <summary>Builds a sample of asynchronous items in flight from per-item figures, for cached plans and tests.</summary>
    public static WorkSample InFlightPerItem(long items, TimeSpan inFlightPerItem, TimeSpan syncCpuPerItem) => new()
    {
        PendingItems = items,
        PendingWallTicks = inFlightPerItem.Ticks * items,
        PendingCpuTicks = syncCpuPerItem.Ticks * items,
    };
}
