namespace Brigade.Processes.Internal;

/// <summary>
/// Copies workers' standard-error lines to this process's standard error (<see cref="ProcessEngineOptions.ForwardWorkerOutput"/>)
/// from one thread of its own. The lines were written on the thread that reads the worker's pipe: a host standard error
/// that nobody reads (a full pipe) then blocked that thread, a thread-pool thread per worker, and once the worker's own
/// pipe filled, the worker's item itself stalled, until an item timeout killed it for the host's fault (review 19).
/// Here lines wait in a bounded queue instead; past its bound they are dropped, never silently: the forwarder writes how
/// many lines of which worker it dropped as soon as it can write again.
/// </summary>
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
    private readonly Queue<string> _queue = new();
    private readonly Dictionary<int, long> _dropped = [];
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
            if (_queuedChars + text.Length > _capacity && _queue.Count > 0)
            {
                _dropped[pid] = _dropped.GetValueOrDefault(pid) + 1;
                return;
            }

            _queue.Enqueue(text);
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
            while (_queue.Count > 0 || _dropped.Count > 0 || _writing)
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
        var lines = new List<string>();
        var dropped = new List<KeyValuePair<int, long>>();
        while (true)
        {
            lock (_gate)
            {
                _writing = false;
                Monitor.PulseAll(_gate);
                while (_queue.Count == 0 && _dropped.Count == 0)
                {
                    Monitor.Wait(_gate);
                }

                // The queued lines came before the drops (lines are dropped only while the queue is full).
                lines.AddRange(_queue);
                _queue.Clear();
                _queuedChars = 0;
                dropped.AddRange(_dropped);
                _dropped.Clear();
                _writing = true;
            }

            try
            {
                var target = _target();
                foreach (var line in lines)
                {
                    target.WriteLine(line);
                }

                foreach (var (pid, count) in dropped)
                {
                    target.WriteLine($"[brigade worker {pid}] {count} line{(count == 1 ? "" : "s")} of standard error dropped here: this process's standard error was not being read fast enough.");
                }

                target.Flush();
            }
            catch (Exception)
            {
                // Standard error is closed (or a replaced Console.Error throws): there is nowhere to write to, nor to say so.
            }

            lines.Clear();
            dropped.Clear();
        }
    }
}
