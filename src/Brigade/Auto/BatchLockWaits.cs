using System.Diagnostics;
using Brigade.Reporting;

namespace Brigade.Auto;

/// <summary>
/// One auto worker's plain-lock waits inside its items: the waits the runtime timed on the worker's thread
/// (<see cref="PlainLockWaits"/>, delivered a few milliseconds late) that started inside one of its recent batches, on
/// the thread that ran that batch. Brigade's own locks, which the worker takes between batches (starting workers,
/// adding up its figures), do not count: under load a preempted holder makes them contend for milliseconds, and that is
/// not the work's lock. Nor does other work on a thread the worker ran on before (the application's own pool work).
/// </summary>
/// <remarks>The worker writes its batches' bounds and threads (<see cref="BatchStarted"/>, <see cref="BatchEnded"/>,
/// only once <see cref="On"/>) and registers its thread with the listener itself, when its thread changes; the
/// listener's thread reads them in its callback. A torn read misplaces one wait at worst.</remarks>
internal sealed class BatchLockWaits
{
    // Enough batches to cover the events' delay: batches last about a millisecond, the events arrive ~10 ms late.
    private const int Kept = 64;
    private static readonly double TicksPerTimestamp = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;
    private readonly long[] _starts = new long[Kept];
    private readonly long[] _ends = new long[Kept];
    private readonly int[] _threads = new int[Kept];
    private readonly Action<long, long, long> _onWait;
    private long _begun;
    private bool _open;
    private long _ticks;
    private long _countFrom = long.MaxValue;
    private int _watched;
    private OpenWait? _waiting;
    private volatile bool _on;
    private volatile bool _stopped;

    public BatchLockWaits() => _onWait = Add;

    /// <summary>Gets the watcher registered with <see cref="PlainLockWaits.Watch"/> (the listener calls it; tests do).</summary>
    public Action<long, long, long> OnWait => _onWait;

    /// <summary>Gets the waits inside batches so far, in ticks.</summary>
    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Gets or sets whether the worker records its batches' bounds (where plain-lock waits can be timed).</summary>
    public bool On
    {
        get => _on;
        set => _on = value;
    }

    /// <summary>Gets or sets the moment (a Stopwatch timestamp) from which waits count: the part of a wait before it does
    /// not (the run's time in batches is counted from there too). <see cref="long.MaxValue"/>, nothing counts yet.</summary>
    public long CountFrom
    {
        get => Volatile.Read(ref _countFrom);
        set => Volatile.Write(ref _countFrom, value);
    }

    /// <summary>Notes a batch's start on the OS thread <paramref name="osThreadId"/> (0 when unknown), and watches that
    /// thread's waits while timing is on (re-registering when the worker moved to another thread: a dictionary write).</summary>
    public void BatchStarted(int osThreadId)
    {
        if (!_on)
        {
            return;
        }

        if (osThreadId != _watched && osThreadId > 0 && PlainLockWaits.IsStarted && !_stopped)
        {
            // A wait still open on the previous thread ends there, whether or not its end event ever reaches us.
            Volatile.Write(ref _waiting, null);
            if (_watched > 0)
            {
                PlainLockWaits.Unwatch(_watched, _onWait);
            }

            PlainLockWaits.Watch(osThreadId, _onWait);
            _watched = osThreadId;
        }

        var n = _begun;
        var i = (int)(n % Kept);
        Volatile.Write(ref _ends[i], long.MaxValue);
        Volatile.Write(ref _threads[i], osThreadId);
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

    /// <summary>Starts counting again from <paramref name="at"/> (a Stopwatch timestamp): the part of any wait before it no
    /// longer counts, a wait under way included. Returns the waits counted so far, the base to subtract from later
    /// readings: the finished ones only. The open wait's part before <paramref name="at"/> is not in it, and its end event
    /// adds only the part after <paramref name="at"/>, so the two agree (review 10 S1: a base that held the open wait's age
    /// lost it for good, k times over with k workers queued at a lock).</summary>
    /// <param name="at">The new start.</param>
    public long Rebase(long at)
    {
        CountFrom = at;
        return TicksUntil(at);
    }

    /// <summary>Stops watching (the run is over); the worker does not register again.</summary>
    public void Stop()
    {
        _stopped = true;
        var watched = Interlocked.Exchange(ref _watched, 0);
        if (watched > 0)
        {
            PlainLockWaits.Unwatch(watched, _onWait);
        }
    }

    /// <summary>Gets the waits inside batches up to <paramref name="until"/> (a Stopwatch timestamp), in ticks: the finished
    /// ones, and the one under way (a worker behind a lock held by many others waits for a long time before its wait ends),
    /// which counts at most to the end of the batch it began in: its end event may never come (lost, or sent while the
    /// worker had moved to another thread).</summary>
    public long TicksUntil(long until)
    {
        var ticks = Volatile.Read(ref _ticks);
        if (Volatile.Read(ref _waiting) is not { } open)
        {
            return ticks;
        }

        var i = (int)(open.Batch % Kept);
        var end = Volatile.Read(ref _ends[i]);
        if (Volatile.Read(ref _begun) - open.Batch > Kept)
        {
            return ticks; // its batch is long over, and its slot reused
        }

        var from = Math.Max(open.Since, CountFrom);
        var to = Math.Min(until, end);
        return to > from ? ticks + (long)((to - from) * TicksPerTimestamp) : ticks;
    }

    // On the listener's thread: a wait of the watched thread began (ticks < 0) or ended.
    private void Add(long osThreadId, long start, long ticks)
    {
        var batch = BatchOf(start, osThreadId);
        if (ticks < 0)
        {
            Volatile.Write(ref _waiting, batch >= 0 ? new OpenWait(start, batch) : null);
            return;
        }

        Volatile.Write(ref _waiting, null);
        if (batch >= 0)
        {
            // Only the part after timing started counts: the time in batches is counted from there.
            var before = Math.Max(0, (long)((CountFrom - start) * TicksPerTimestamp));
            if (ticks > before)
            {
                Interlocked.Add(ref _ticks, ticks - before);
            }
        }
    }

    // The batch a wait started inside, on the same thread: the newest batch that started before it, if it had not ended
    // yet; -1 when none.
    private long BatchOf(long start, long osThreadId)
    {
        var n = Volatile.Read(ref _begun);
        for (var k = n - 1; k >= 0 && k >= n - Kept; k--)
        {
            var i = (int)(k % Kept);
            if (start >= Volatile.Read(ref _starts[i]))
            {
                return start <= Volatile.Read(ref _ends[i]) && Volatile.Read(ref _threads[i]) == osThreadId ? k : -1;
            }
        }

        return -1;
    }

    private sealed record OpenWait(long Since, long Batch);
}
