using System.Diagnostics;

namespace Brigade.Auto;

/// <summary>
/// One auto worker's plain-lock waits inside its items: the waits the runtime timed on the worker's thread
/// (<see cref="Reporting.PlainLockWaits"/>, delivered a few milliseconds late) that started inside one of its recent
/// batches. Brigade's own locks, which the worker takes between batches (starting workers, adding up its figures), do
/// not count: under load a preempted holder makes them contend for milliseconds, and that is not the work's lock.
/// </summary>
/// <remarks>The worker writes its batches' bounds (<see cref="BatchStarted"/>, <see cref="BatchEnded"/>, only once
/// <see cref="On"/>); the listener's thread reads them in <see cref="OnWait"/>. A torn read misplaces one wait at worst.</remarks>
internal sealed class BatchLockWaits
{
    // Enough batches to cover the events' delay: batches last about a millisecond, the events arrive ~10 ms late.
    private const int Kept = 64;
    private readonly long[] _starts = new long[Kept];
    private readonly long[] _ends = new long[Kept];
    private long _begun;
    private bool _open;
    private long _ticks;
    private long _waitingSince;
    private volatile bool _on;

    public BatchLockWaits() => OnWait = Add;

    /// <summary>Gets the watcher to pass to <see cref="Reporting.PlainLockWaits.Watch"/>.</summary>
    public Action<long, long> OnWait { get; }

    /// <summary>Gets the waits inside batches so far, in ticks.</summary>
    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Gets or sets the OS thread the worker was last watched on (set by the controller only).</summary>
    public int WatchedThread { get; set; }

    /// <summary>Gets or sets whether the worker records its batches' bounds (where plain-lock waits can be timed).</summary>
    public bool On
    {
        get => _on;
        set => _on = value;
    }

    public void BatchStarted()
    {
        if (!_on)
        {
            return;
        }

        var n = _begun;
        var i = (int)(n % Kept);
        Volatile.Write(ref _ends[i], long.MaxValue);
        Volatile.Write(ref _starts[i], Stopwatch.GetTimestamp());
        Volatile.Write(ref _begun, n + 1);
        _open = true;
    }

    public void BatchEnded()
    {
        if (_open)
        {
            _open = false;
            Volatile.Write(ref _ends[(int)((_begun - 1) % Kept)], Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Gets the waits inside batches up to <paramref name="until"/> (a Stopwatch timestamp), in ticks: the finished
    /// ones, and the one under way (a worker behind a lock held by many others waits for a long time before its wait ends).</summary>
    public long TicksUntil(long until)
    {
        var ticks = Volatile.Read(ref _ticks);
        var since = Volatile.Read(ref _waitingSince);
        return since > 0 && until > since ? ticks + (long)((until - since) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)) : ticks;
    }

    private void Add(long start, long ticks)
    {
        if (ticks < 0)
        {
            Volatile.Write(ref _waitingSince, InBatch(start) ? start : 0);
            return;
        }

        Volatile.Write(ref _waitingSince, 0);
        if (InBatch(start))
        {
            Interlocked.Add(ref _ticks, ticks);
        }
    }

    // Whether a wait started inside a batch: the newest batch that started before it, if it had not ended yet.
    private bool InBatch(long start)
    {
        var n = Volatile.Read(ref _begun);
        for (var k = n - 1; k >= 0 && k >= n - Kept; k--)
        {
            var i = (int)(k % Kept);
            if (start >= Volatile.Read(ref _starts[i]))
            {
                return start <= Volatile.Read(ref _ends[i]);
            }
        }

        return false;
    }
}
