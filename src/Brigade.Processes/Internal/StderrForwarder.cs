namespace Brigade.Processes.Internal;

/// <summary>
/// Copies workers' standard-error lines to this process's standard error (<see cref="ProcessEngineOptions.ForwardWorkerOutput"/>)
/// from one thread of its own. The lines were written on the thread that reads the worker's pipe: a host standard error
/// that nobody reads (a full pipe) then blocked that thread, a thread-pool thread per worker, and once the worker's own
/// pipe filled, the worker's item itself stalled, until an item timeout killed it for the host's fault (review 19).
/// Here lines wait in a bounded queue instead; past its bound they are dropped, never silently: the forwarder writes how
/// many lines of which worker it dropped, in their place, as soon as it can write again.
/// </summary>
/// <remarks>Once a worker's line is dropped, that worker's later lines are dropped too (even a short one that would fit)
/// until the thread takes the queue: the notice, queued at the first drop, then stands for every line between the lines
/// written before it and those written after it, so each worker's output keeps its order (review 21 P2).</remarks>
internal sealed class StderrForwarder
{
    // 4 Mi characters queued at most (8 MiB): bursts of worker output far larger than a pipe pass whole while standard
    // error is merely slow; only a standard error that stays blocked loses lines.
    private const long DefaultCapacity = 4L * 1024 * 1024;

    private static readonly Lazy<StderrForwarder> s_shared = new(() =>
    {
        var forwarder = new StderrForwarder(static () => Console.Error, DefaultCapacity);

        // Lines still queued when the process exits are written first (bounded: a blocked standard error must not hold up the exit).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => forwarder.Flush(TimeSpan.FromSeconds(2));
        return forwarder;
    });

    private readonly Func<TextWriter> _target;
    private readonly long _capacity;

    // Guards everything below; Monitor.Wait/Pulse signal the thread and Flush.
    private readonly object _gate = new();
    // Lines, and a worker's drop notice at the place of its first dropped line; notices are not counted in _queuedChars
    // (one per dropping worker per batch, a bounded excess).
    private readonly Queue<Entry> _queue = new();

    // The workers dropping lines since the thread last took the queue, with their notice (already queued).
    private readonly Dictionary<int, DropNotice> _dropping = [];
    private long _queuedChars;
    private bool _writing;
    private bool _started;

    /// <summary>Initializes a forwarder to <paramref name="target"/> (tests; the engine uses <see cref="Shared"/>).</summary>
    /// <param name="target">Where the lines go, asked for each batch of lines (so a redirected <see cref="Console.Error"/> is followed).</param>
    /// <param name="capacity">How many characters may wait before lines are dropped.</param>
    internal StderrForwarder(Func<TextWriter> target, long capacity)
    {
        _target = target;
        _capacity = capacity;
    }

    /// <summary>Gets the forwarder to this process's standard error.</summary>
    public static StderrForwarder Shared => s_shared.Value;

    /// <summary>Queues a worker's line; never blocks on the target.</summary>
    /// <param name="pid">The worker's process id.</param>
    /// <param name="line">The line.</param>
    public void Post(int pid, string line)
    {
        var text = $"[brigade worker {pid}] {line}";
        lock (_gate)
        {
            if (_dropping.TryGetValue(pid, out var notice))
            {
                // A line of this worker was dropped since the queue was last taken: this one must not overtake it.
                notice.Count++;
                return;
            }

            if (_queuedChars + text.Length > _capacity && _queue.Count > 0)
            {
                notice = new DropNotice(pid) { Count = 1 };
                _dropping.Add(pid, notice);
                _queue.Enqueue(new Entry(null, notice));
                return;
            }

            _queue.Enqueue(new Entry(text, null));
            _queuedChars += text.Length;
            if (!_started)
            {
                _started = true;
                Brigade.Internal.DetachedContext.Start(new Thread(Loop) { IsBackground = true, Name = "brigade-worker-stderr" });
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits (bounded) until every queued line has been written.</summary>
    /// <param name="timeout">How long to wait at most.</param>
    /// <returns>Whether everything was written.</returns>
    public bool Flush(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (_queue.Count > 0 || _writing)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private void Loop()
    {
        var entries = new List<Entry>();
        while (true)
        {
            lock (_gate)
            {
                _writing = false;
                Monitor.PulseAll(_gate);
                while (_queue.Count == 0)
                {
                    Monitor.Wait(_gate);
                }

                // The taken notices' counts are final: a worker's next line is queued after its notice, and may be dropped
                // only under a new one.
                entries.AddRange(_queue);
                _queue.Clear();
                _queuedChars = 0;
                _dropping.Clear();
                _writing = true;
            }

            try
            {
                var target = _target();
                foreach (var (line, notice) in entries)
                {
                    target.WriteLine(line ?? $"[brigade worker {notice!.Pid}] {notice.Count} line{(notice.Count == 1 ? "" : "s")} of standard error dropped here: this process's standard error was not being read fast enough.");
                }

                target.Flush();
            }
            catch (Exception)
            {
                // Standard error is closed (or a replaced Console.Error throws): there is nowhere to write to, nor to say so.
            }

            entries.Clear();
        }
    }

    // A queued line, or (Line null) a worker's drop notice.
    private readonly record struct Entry(string? Line, DropNotice? Notice);

    // How many lines of a worker were dropped since its first drop in this batch; changed only under _gate, while queued.
    private sealed class DropNotice(int pid)
    {
        public int Pid { get; } = pid;

        public long Count { get; set; }
    }
}
