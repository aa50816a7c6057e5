using Brigade.Synchronization;

namespace Brigade.Diagnostics;

/// <summary>
/// Reports flows that stop making progress, and tells why from how busy their threads are: busy without progress is a
/// livelock (<see cref="PitfallCodes.Livelock"/>), blocked a hang (<see cref="PitfallCodes.Hang"/>), and one flow
/// stuck while others progress starvation (<see cref="PitfallCodes.Starvation"/>). It also watches Brigade's primitives
/// for the polite livelock: threads that keep failing to try-acquire what the other holds, backing off and retrying.
/// </summary>
/// <remarks>
/// <para>Flows take part with <see cref="Watch"/> (on their thread) and say they progress with
/// <see cref="ProgressParticipant.Mark"/> or <see cref="Mark(string?)"/>; a flow that waits for work by design says so
/// with <see cref="ProgressParticipant.Idle"/>. A thread is busy when it ran or waited for a core (Linux run-queue wait,
/// so that a spinning thread on a loaded machine is not taken for a blocked one) for at least
/// <see cref="ProgressWatchdogOptions.BusyCpuFraction"/> of the time. A run watches its workers when
/// <see cref="RunOptions.ProgressWatchdog"/> is set: a finished batch is progress, and items can mark it too.</para>
/// <para>Checks run every <see cref="ProgressWatchdogOptions.Interval"/> on the channel's <see cref="TimeProvider"/>
/// (tests use a fake one), and each episode is reported once; progress by every flow ends it.</para>
/// </remarks>
/// <example>
/// <code>
/// using var watchdog = ProgressWatchdog.Start(new ProgressWatchdogOptions { Threshold = TimeSpan.FromSeconds(2) });
/// using var me = watchdog.Watch("consumer");
/// while (true)
/// {
///     Item item;
///     using (me.Idle()) { if (!queue.TryTake(out item, Timeout.Infinite)) break; }   // waiting for work is not a hang
///     Handle(item);
///     me.Mark("handling");
/// }
/// </code>
/// </example>
public sealed class ProgressWatchdog : IDisposable
{
    [ThreadStatic]
    private static ProgressParticipant? t_current;

    // Guards _participants and _reported. A leaf: reports are published after it is released.
    private readonly Lock _gate = new();
    private readonly List<ProgressParticipant> _participants = [];
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private readonly ITimer _timer;
    private readonly PoliteLivelockObserver? _polite;
    private int _disposed;

    private ProgressWatchdog(ProgressWatchdogOptions options)
    {
        Diagnostics = options.Diagnostics ?? PitfallDiagnostics.Default;
        Threshold = options.Threshold;
        BusyCpuFraction = options.BusyCpuFraction;
        Time = Diagnostics.TimeProvider;
        if (options.PoliteLivelockAttempts > 0)
        {
            _polite = new PoliteLivelockObserver(Diagnostics, options.PoliteLivelockAttempts);
            ObserverHub.Add(_polite);
        }

        _timer = Time.CreateTimer(static state => ((ProgressWatchdog)state!).Check(), this, options.Interval, options.Interval);
    }

    /// <summary>Gets the channel reports go to.</summary>
    public PitfallDiagnostics Diagnostics { get; }

    /// <summary>Gets how long a flow may go without progress.</summary>
    public TimeSpan Threshold { get; }

    /// <summary>Gets the share of a core that counts as busy.</summary>
    public double BusyCpuFraction { get; }

    internal TimeProvider Time { get; }

    /// <summary>Starts a watchdog.</summary>
    /// <param name="options">Threshold, interval, busy fraction, polite-livelock attempts and channel; null for the defaults.</param>
    /// <returns>The watchdog; dispose it to stop.</returns>
    public static ProgressWatchdog Start(ProgressWatchdogOptions? options = null) => new((options ?? new ProgressWatchdogOptions()).Clone());

    /// <summary>Marks progress for the flows the current thread takes part as (its <see cref="Watch"/> or a run's worker).</summary>
    /// <param name="doing">What the flow is doing now, for reports.</param>
    public static void Mark(string? doing = null) => t_current?.Mark(doing);

    /// <summary>Gets the flow watched on this thread, if any (the polite-livelock check reads its progress).</summary>
    internal static ProgressParticipant? CurrentParticipant => t_current;

    /// <summary>Watches the calling thread as a flow named <paramref name="name"/>; <see cref="Mark(string?)"/> on this thread marks it.</summary>
    /// <param name="name">The name reports use.</param>
    /// <returns>The participant; dispose it when the flow ends.</returns>
    public ProgressParticipant Watch(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var participant = new ProgressParticipant(this, name);
        lock (_gate)
        {
            _participants.Add(participant);
        }

        t_current = participant;
        return participant;
    }

    /// <summary>Checks every watched flow now (the timer calls this every interval).</summary>
    public void Check()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        ProgressReport? report = null;
        var now = Time.GetTimestamp();
        lock (_gate)
        {
            var flows = _participants.Where(p => p.Active && !p.IsIdle).Select(p => p.Sample(now, Threshold)).ToList();
            var stalled = flows.Where(f => !f.MadeProgress).ToList();
            if (stalled.Count == 0)
            {
                _reported.Clear();
                return;
            }

            var key = string.Join('\n', stalled.Select(f => f.Name).Order(StringComparer.Ordinal));
            if (_reported.Add(key))
            {
                var kind = stalled.Count < flows.Count
                    ? PitfallKind.Starvation
                    : stalled.Any(f => f.BusyFraction >= BusyCpuFraction) ? PitfallKind.Livelock : PitfallKind.Hang;
                report = ProgressReport.FromVerdict(kind, flows, Threshold, BusyCpuFraction, Time.GetUtcNow());
            }
        }

        if (report is not null)
        {
            Diagnostics.Publish(report);
        }
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        if (_polite is not null)
        {
            ObserverHub.Remove(_polite);
        }
    }

    /// <summary>A run's worker, at its first batch: it is watched from now on (between batches it is idle, not stalled).</summary>
    internal ProgressParticipant AddRunWorker(string name)
    {
        var participant = new ProgressParticipant(this, name);
        lock (_gate)
        {
            _participants.Add(participant);
        }

        return participant;
    }

    /// <summary>A run's worker begins a batch on this thread: it is active and current here.</summary>
    internal static void EnterBatch(ProgressParticipant participant)
    {
        participant.BindCurrentThread();
        participant.Restart();
        participant.Active = true;
        t_current = participant;
    }

    /// <summary>The batch ended: its items are progress; an idle worker (between batches) is not watched.</summary>
    internal static void ExitBatch(ProgressParticipant participant, int ran)
    {
        participant.Progress(Math.Max(ran, 1));
        participant.Active = false;
        if (ReferenceEquals(t_current, participant))
        {
            t_current = null;
        }
    }

    internal void Remove(ProgressParticipant participant)
    {
        lock (_gate)
        {
            _participants.Remove(participant);
        }

        if (ReferenceEquals(t_current, participant))
        {
            t_current = null;
        }
    }
}
