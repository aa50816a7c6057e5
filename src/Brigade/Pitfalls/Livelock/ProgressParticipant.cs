using Brigade.Internal;

namespace Brigade.Diagnostics;

/// <summary>
/// A flow a <see cref="ProgressWatchdog"/> watches: it marks its progress with <see cref="Mark"/>, and the watchdog reads
/// its thread's CPU time to tell busy from blocked. Dispose it when the flow ends.
/// </summary>
public sealed class ProgressParticipant : IDisposable
{
    private readonly ProgressWatchdog _watchdog;
    private long _marks;
    private long _lastProgress;
    private long _cpuClock = -1;
    private long _cpuAtProgress = -1;
    private string? _doing;
    private volatile bool _active = true;
    private int _idle;

    // The thread's run-queue wait (Linux), read by the watchdog only: the baseline is taken at the first check after a
    // mark, so marking costs nothing more. The baseline is touched only by Sample, under the watchdog's gate; the reader
    // is guarded by _statGate (Dispose may run on the flow's thread).
    private readonly Lock _statGate = new();
    private readonly RunQueueClock _runQueue = new();
    private int _threadId = -1;
    private long _waitMarks = -1;
    private long _waitBaseline = -1;
    private long _waitBaselineTime;

    internal ProgressParticipant(ProgressWatchdog watchdog, string name)
    {
        _watchdog = watchdog;
        Name = name;
        _lastProgress = watchdog.Time.GetTimestamp();
        BindCurrentThread();
    }

    /// <summary>Gets the name reports use.</summary>
    public string Name { get; }

    /// <summary>Gets how many times progress was marked.</summary>
    public long Marks => Interlocked.Read(ref _marks);

    /// <summary>Gets or sets what the flow is doing, shown in reports.</summary>
    public string? Doing
    {
        get => Volatile.Read(ref _doing);
        set => Volatile.Write(ref _doing, value);
    }

    /// <summary>Gets or sets where CPU time is read from (tests replace it); by default the bound thread's CPU clock, -1 when unknown.</summary>
    internal Func<long>? CpuSource { get; set; }

    /// <summary>Gets or sets where the thread's run-queue wait is read from, in ticks (tests replace it); by default its
    /// <c>/proc/self/task/TID/schedstat</c> on Linux (unknown when only <see cref="CpuSource"/> is replaced), -1 when unknown.</summary>
    internal Func<long>? RunQueueSource { get; set; }

    internal bool Active
    {
        get => _active;
        set => _active = value;
    }

    /// <summary>Gets whether the flow is waiting for work by design (inside <see cref="Idle"/>).</summary>
    internal bool IsIdle => Volatile.Read(ref _idle) > 0;

    /// <summary>
    /// Says the flow is idle until the returned scope is disposed: it waits for work by design (an empty queue, a timer),
    /// so the wait is neither a hang nor starvation. Disposing the scope starts the clock afresh.
    /// </summary>
    /// <returns>A scope; dispose it when the wait ends (the flow is watched again from then on).</returns>
    /// <example>
    /// <code>
    /// while (true)
    /// {
    ///     Item item;
    ///     using (me.Idle())   // waiting for work is not a hang
    ///     {
    ///         if (!queue.TryTake(out item, Timeout.Infinite)) break;
    ///     }
    ///
    ///     Handle(item);
    ///     me.Mark("handling");
    /// }
    /// </code>
    /// </example>
    public IDisposable Idle()
    {
        Interlocked.Increment(ref _idle);
        return new IdleScope(this);
    }

    /// <summary>Marks progress.</summary>
    /// <param name="doing">What the flow is doing now, for reports; null leaves it unchanged.</param>
    public void Mark(string? doing = null)
    {
        if (doing is not null)
        {
            Doing = doing;
        }

        Progress(1);
    }

    /// <summary>Stops watching this flow.</summary>
    public void Dispose()
    {
        _watchdog.Remove(this);
        lock (_statGate)
        {
            _runQueue.Close();
        }
    }

    /// <summary>Binds the CPU clock to the calling thread (a run's worker may move between threads).</summary>
    internal void BindCurrentThread()
    {
        var clock = ThreadCpuTime.OpenCurrentThreadClock();
        if (clock != Volatile.Read(ref _cpuClock))
        {
            Volatile.Write(ref _cpuClock, clock);
            Volatile.Write(ref _cpuAtProgress, ReadCpu());
        }

        Volatile.Write(ref _threadId, ThreadSchedStat.CurrentThreadId());
    }

    private void EndIdle()
    {
        // The clock restarts before the flow counts as watched again: a check in between would otherwise see the
        // progress time from before the idle wait and report a hang (review 29e). Harmless for a nested scope.
        Restart();
        if (Interlocked.Decrement(ref _idle) < 0)
        {
            Interlocked.Exchange(ref _idle, 0);
        }
    }

    /// <summary>Starts the clock afresh (a worker starting a batch after being idle is not stalled).</summary>
    internal void Restart()
    {
        Volatile.Write(ref _cpuAtProgress, ReadCpu());
        Volatile.Write(ref _lastProgress, _watchdog.Time.GetTimestamp());
        Volatile.Write(ref _waitMarks, -1);   // a new baseline for the run-queue wait
    }

    internal void Progress(long count)
    {
        if (count <= 0)
        {
            return;
        }

        Interlocked.Add(ref _marks, count);
        Volatile.Write(ref _cpuAtProgress, ReadCpu());
        Volatile.Write(ref _lastProgress, _watchdog.Time.GetTimestamp());
    }

    /// <summary>Samples the state: time since progress and CPU used since.</summary>
    internal WatchedFlow Sample(long now, TimeSpan threshold)
    {
        var since = _watchdog.Time.GetElapsedTime(Volatile.Read(ref _lastProgress), now);
        var cpuStart = Volatile.Read(ref _cpuAtProgress);
        var cpuNow = ReadCpu();
        double? fraction = cpuStart < 0 || cpuNow < 0 || since <= TimeSpan.Zero ? null : Math.Clamp((cpuNow - cpuStart) / (double)since.Ticks, 0, 1);
        return new WatchedFlow(Name, Doing, since, fraction, since < threshold, Marks, SampleRunQueue(now));
    }

    /// <summary>
    /// The share of the time since the first check after the last progress that the thread was ready to run but waited
    /// for a core: on a loaded machine a busy thread gets little CPU and waits the rest. Null when unknown (not Linux,
    /// or no check since the last progress yet).
    /// </summary>
    private double? SampleRunQueue(long now)
    {
        var wait = ReadRunQueueWait();
        var marks = Marks;
        if (wait < 0)
        {
            return null;
        }

        if (Volatile.Read(ref _waitMarks) != marks || _waitBaseline < 0)
        {
            _waitMarks = marks;
            _waitBaseline = wait;
            _waitBaselineTime = now;
            return null;
        }

        var window = _watchdog.Time.GetElapsedTime(_waitBaselineTime, now);
        return window > TimeSpan.Zero ? Math.Clamp((wait - _waitBaseline) / (double)window.Ticks, 0, 1) : null;
    }

    private long ReadRunQueueWait()
    {
        if (RunQueueSource is { } source)
        {
            return source();
        }

        if (CpuSource is not null)
        {
            return -1;   // CPU time from elsewhere: this thread's run-queue wait would not match it
        }

        var tid = Volatile.Read(ref _threadId);
        lock (_statGate)
        {
            return _runQueue.ReadThread(tid);
        }
    }

    private long ReadCpu() => CpuSource is { } source ? source() : ThreadCpuTime.ReadTicks(Volatile.Read(ref _cpuClock));

    // One per Idle() call: disposing it twice ends only its own idle wait, once (nested scopes stay counted).
    private sealed class IdleScope(ProgressParticipant participant) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                participant.EndIdle();
            }
        }
    }
}
