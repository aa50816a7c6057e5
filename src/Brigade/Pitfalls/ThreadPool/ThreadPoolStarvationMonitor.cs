using System.Diagnostics;

namespace Brigade.Diagnostics;

/// <summary>
/// Watches the .NET thread pool for starvation: work queued but not picked up (queue length, completed count and thread
/// count sampled over time), the classic symptom of blocking calls on pool threads. Reports through
/// <see cref="PitfallDiagnostics"/> once per episode, and logs when the pool recovers.
/// </summary>
/// <remarks>
/// <para>An interval between two samples is <em>stalled</em> when work was queued at both and the pool completed fewer
/// items than were already waiting at the first: something queued waited at least a whole interval. It is
/// <em>starved</em> when, besides, the pool's threads were blocked rather than busy: on Linux, the worker threads ran or
/// waited for a core (CPU time plus run-queue wait) less than half of the time of <c>min(threads, cores)</c> threads —
/// which a loaded machine does not change, since a computing worker that gets no core waits in the run queue. Elsewhere
/// the process's CPU time must stay under half of all cores. Starvation is reported when consecutive starved intervals
/// span <see cref="ThreadPoolMonitorOptions.Threshold"/>. A pool saturated by CPU-bound work (a backlog served by
/// computing threads) is not starvation and is not reported: more threads would not help it.</para>
/// <para>On the system clock the monitor samples from its own dedicated thread: a timer callback would itself be work
/// queued on the starving pool. With another <see cref="TimeProvider"/> (a fake clock in tests) it samples from that
/// provider's timer.</para>
/// </remarks>
/// <example>
/// <code>
/// using var monitor = ThreadPoolStarvationMonitor.Start(new ThreadPoolMonitorOptions { Threshold = TimeSpan.FromSeconds(2) });
/// </code>
/// </example>
[DebuggerDisplay("thread-pool monitor: {IsStarved ? \"starved\" : \"healthy\",nq}")]
public sealed class ThreadPoolStarvationMonitor : IDisposable
{
    private readonly PitfallDiagnostics _diagnostics;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _threshold;
    private readonly int _maxSamples;
    private readonly Func<ThreadPoolSample> _sampler;
    private readonly int _processorCount;
    private readonly PoolThreadActivity? _activity;

    // Guards _samples, _episode, _reported and _starved. A leaf: reports are published after it is released.
    private readonly Lock _gate = new();
    private readonly Queue<ThreadPoolSample> _samples = new();
    private readonly List<ThreadPoolSample> _episode = [];
    private readonly ManualResetEventSlim _stop = new();
    private ITimer? _timer;
    private Thread? _thread;
    private bool _reported;
    private bool _starved;
    private int _disposed;

    internal ThreadPoolStarvationMonitor(ThreadPoolMonitorOptions options, Func<ThreadPoolSample>? sampler, int processorCount, PoolThreadActivity? activity = null)
    {
        _diagnostics = options.Diagnostics ?? PitfallDiagnostics.Default;
        _interval = options.Interval;
        _threshold = options.Threshold;
        _maxSamples = options.MaxSamples;
        _processorCount = processorCount;
        var time = _diagnostics.TimeProvider;
        // A scripted sampler (tests) may still hand over the reader, to see that it is closed.
        _activity = sampler is null ? PoolThreadActivity.TryCreate() : activity;

        _sampler = sampler ?? (() => new ThreadPoolSample(
            time.GetUtcNow(), ThreadPool.PendingWorkItemCount, ThreadPool.CompletedWorkItemCount, ThreadPool.ThreadCount, Environment.CpuUsage.TotalTime,
            _activity?.Read() is long busy and >= 0 ? TimeSpan.FromTicks(busy) : null));
    }

    /// <summary>Gets whether the pool is starved now (an episode was reported and has not ended).</summary>
    public bool IsStarved
    {
        get
        {
            lock (_gate)
            {
                return _starved;
            }
        }
    }

    /// <summary>Gets the recent samples, oldest first.</summary>
    internal IReadOnlyList<ThreadPoolSample> Samples
    {
        get
        {
            lock (_gate)
            {
                return _samples.ToArray();
            }
        }
    }

    /// <summary>Gets the dedicated sampling thread (system clock only); for tests.</summary>
    internal Thread? SamplingThread => _thread;

    /// <summary>Starts monitoring the thread pool.</summary>
    /// <param name="options">Interval, threshold and channel; null for the defaults.</param>
    /// <returns>The running monitor; dispose it to stop.</returns>
    public static ThreadPoolStarvationMonitor Start(ThreadPoolMonitorOptions? options = null)
    {
        var monitor = new ThreadPoolStarvationMonitor(options ?? new ThreadPoolMonitorOptions(), null, Environment.ProcessorCount);
        monitor.Run();
        return monitor;
    }

    /// <summary>Stops monitoring.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer?.Dispose();
        _stop.Set();

        if (_thread is { } thread)
        {
            // The sampling thread closes the per-thread files as it exits (see Loop), also when it is the thread
            // disposing (from a report handler: review 30), which sees the stop signal once the handler returns.
            if (thread != Thread.CurrentThread)
            {
                thread.Join();
            }
        }
        else
        {
            // On the provider's timer (disposed above, a tick in flight aside): the per-thread files go now, not at
            // finalization (review 29e: ~500 open files with 500 pool threads).
            _activity?.Dispose();
        }
    }

    /// <summary>Starts sampling: a dedicated thread on the system clock, the provider's timer otherwise.</summary>
    internal void Run()
    {
        Tick();
        var time = _diagnostics.TimeProvider;
        if (time == TimeProvider.System)
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = "brigade-threadpool-monitor" };
            _thread.Start();
        }
        else
        {
            _timer = time.CreateTimer(static state => ((ThreadPoolStarvationMonitor)state!).Tick(), this, _interval, _interval);
        }
    }

    /// <summary>Takes one sample and updates the episode; publishes outside the gate.</summary>
    internal void Tick()
    {
        var sample = _sampler();
        ThreadPoolStarvationReport? report = null;
        (TimeSpan Duration, int Threads)? recovered = null;
        lock (_gate)
        {
            var previous = _samples.Count > 0 ? _samples.Last() : (ThreadPoolSample?)null;
            _samples.Enqueue(sample);
            while (_samples.Count > _maxSamples)
            {
                _samples.Dequeue();
            }

            if (previous is { } prev)
            {
                var completed = sample.CompletedWorkItems - prev.CompletedWorkItems;
                var stalled = prev.QueueLength > 0 && sample.QueueLength > 0 && completed < prev.QueueLength;
                if (stalled && !Blocked(prev, sample, _processorCount))
                {
                    // Saturated, not starved: the threads compute. An episode already reported goes on (no new report
                    // when it turns blocked again); one not yet reported starts afresh.
                    if (!_reported)
                    {
                        _episode.Clear();
                    }
                }
                else if (stalled)
                {
                    if (_episode.Count == 0)
                    {
                        _episode.Add(prev);
                    }

                    _episode.Add(sample);
                    if (_episode.Count > _maxSamples)
                    {
                        _episode.RemoveAt(1);   // keep the episode's start
                    }

                    if (!_reported && sample.Time - _episode[0].Time >= _threshold)
                    {
                        _reported = true;
                        _starved = true;
                        report = new ThreadPoolStarvationReport([.. _episode], _processorCount);
                    }
                }
                else if (_episode.Count > 0)
                {
                    if (_reported)
                    {
                        recovered = (sample.Time - _episode[0].Time, sample.ThreadCount);
                    }

                    _episode.Clear();
                    _reported = false;
                    _starved = false;
                }
            }
        }

        if (report is not null)
        {
            _diagnostics.Publish(report);
        }

        if (recovered is { } r)
        {
            PitfallLog.ThreadPoolRecovered(_diagnostics.Logger, r.Duration.TotalSeconds, r.Threads);
        }
    }

    /// <summary>
    /// Whether the pool's threads were blocked between two samples: the workers wanted a core (ran or waited in the run
    /// queue) less than half of the time of <c>min(threads, cores)</c> threads, or, with more than twice as many threads
    /// as cores (the pool injects threads past the cores when they block), less than all of it but half a core, and at
    /// least one and a half threads' worth (one computing thread beside fifty blocked ones on 2 cores: review 29e; on 1
    /// core: review 30); without that figure, the process used under half of all cores.
    /// </summary>
    internal static bool Blocked(ThreadPoolSample from, ThreadPoolSample to, int processorCount)
    {
        var elapsed = to.Time - from.Time;
        if (elapsed <= TimeSpan.Zero)
        {
            return true;
        }

        var cores = Math.Max(1, processorCount);
        if (from.PoolBusyTime is { } busyFrom && to.PoolBusyTime is { } busyTo)
        {
            var threads = Math.Clamp(Math.Min(from.ThreadCount, to.ThreadCount), 1, cores);
            var busy = (busyTo - busyFrom) / elapsed;
            // The second bar is at least one and a half threads: on one core "all but half a core" would equal the
            // first bar, and one computing thread would hide fifty blocked ones (review 30). A pool with more than two
            // threads, a stalled queue and under one and a half threads that wanted a core has threads that neither
            // compute (those would wait in the run queue and count) nor idle (those would take the queued work).
            return busy < threads / 2.0 || (Math.Min(from.ThreadCount, to.ThreadCount) > 2 * cores && busy < Math.Max(threads, 2) - 0.5);
        }

        return (to.ProcessCpuTime - from.ProcessCpuTime) / elapsed < cores / 2.0;
    }

    private void Loop()
    {
        try
        {
            while (!_stop.Wait(_interval))
            {
                Tick();
            }
        }
        finally
        {
            _activity?.Dispose();
        }
    }
}
