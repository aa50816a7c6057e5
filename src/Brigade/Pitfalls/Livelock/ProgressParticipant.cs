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

    internal bool Active
    {
        get => _active;
        set => _active = value;
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
    public void Dispose() => _watchdog.Remove(this);

    /// <summary>Binds the CPU clock to the calling thread (a run's worker may move between threads).</summary>
    internal void BindCurrentThread()
    {
        var clock = ThreadCpuTime.OpenCurrentThreadClock();
        if (clock != Volatile.Read(ref _cpuClock))
        {
            Volatile.Write(ref _cpuClock, clock);
            Volatile.Write(ref _cpuAtProgress, ReadCpu());
        }
    }

    /// <summary>Starts the clock afresh (a worker starting a batch after being idle is not stalled).</summary>
    internal void Restart()
    {
        Volatile.Write(ref _cpuAtProgress, ReadCpu());
        Volatile.Write(ref _lastProgress, _watchdog.Time.GetTimestamp());
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
        return new WatchedFlow(Name, Doing, since, fraction, since < threshold, Marks);
    }

    private long ReadCpu() => CpuSource is { } source ? source() : ThreadCpuTime.ReadTicks(Volatile.Read(ref _cpuClock));
}
