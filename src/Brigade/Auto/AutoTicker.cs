using System.Diagnostics;

namespace Brigade.Auto;

/// <summary>
/// The one thread that paces every auto-mode controller in the process: each run's controller ticks when it is due
/// (every millisecond while sampling, every 10 ms afterwards).
/// </summary>
/// <remarks>
/// Controllers cannot tick on the thread pool: CPU-bound workers occupy every pool thread by design, and a timer
/// continuation would wait for the pool to inject a thread (hundreds of milliseconds). A dedicated thread that
/// sleeps between ticks is woken promptly by the OS scheduler even when every core is busy. One thread serves all
/// runs, so a run starts no thread of its own. Pacing uses real time; measurements use each run's clock.
/// </remarks>
internal static class AutoTicker
{
    // Guards Runs and Started.
    private static readonly Lock Gate = new();
    private static readonly List<IAutoController> Runs = [];
    private static readonly AutoResetEvent Wake = new(false);
    private static bool _started;

    /// <summary>
    /// How long the thread keeps waking every <see cref="LingerTick"/> after the last run ended, so that a run started
    /// soon after (runs often come in a row) finds it about to wake and needs no wake-up call. Measured on 2 cores:
    /// waking the sleeping thread at a run's start cost a 150 µs run ~25 µs of wall time.
    /// </summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the thread wakes while it lingers: no later than a sampling run's first tick is due.</summary>
    public static readonly TimeSpan LingerTick = TimeSpan.FromMilliseconds(1);

    // When the controller thread will next wake by itself (Stopwatch ticks); long.MaxValue while idle.
    private static long _sleepsUntil = long.MaxValue;

    /// <summary>Starts ticking a controller; its first tick comes after its <see cref="IAutoController.DueTimestamp"/>.</summary>
    public static void Register(IAutoController controller)
    {
        lock (Gate)
        {
            Runs.Add(controller);
            if (!_started)
            {
                _started = true;
                // Process-wide, started by whichever run comes first: not with that run's execution context (review 20).
                Internal.DetachedContext.Start(new Thread(Loop) { IsBackground = true, Name = "brigade-auto-controller" });
            }
        }

        // Waking a thread costs the caller a system call, and on a busy machine can cost a worker its core: skip it
        // when the thread will wake in time anyway (back-to-back runs).
        if (controller.DueTimestamp < Volatile.Read(ref _sleepsUntil))
        {
            Wake.Set();
        }
    }

    /// <summary>Stops ticking a controller (a tick already under way may still finish: controllers guard themselves).</summary>
    public static void Unregister(IAutoController controller)
    {
        lock (Gate)
        {
            Runs.Remove(controller);
        }
    }

    /// <summary>
    /// The whole milliseconds to sleep for a wait (rounded up; -1 for none): <see cref="WaitHandle.WaitOne(TimeSpan)"/>
    /// truncates, so a wait under a millisecond (every linger tick, every sampling tick) would return at once and the
    /// thread would spin until the tick is due instead of sleeping.
    /// </summary>
    internal static int SleepMilliseconds(TimeSpan wait) =>
        wait == Timeout.InfiniteTimeSpan ? Timeout.Infinite : (int)Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 1, int.MaxValue);

    private static void Loop()
    {
        var due = new List<IAutoController>();
        var lastBusy = 0L;
        var linger = (long)(Linger.TotalSeconds * Stopwatch.Frequency);
        var lingerTick = (long)(LingerTick.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            var next = long.MaxValue;
            lock (Gate)
            {
                if (Runs.Count > 0)
                {
                    lastBusy = now;
                }
                else if (now - lastBusy < linger)
                {
                    next = now + lingerTick;
                }

                foreach (var run in Runs)
                {
                    if (run.DueTimestamp <= now)
                    {
                        due.Add(run);
                    }
                    else
                    {
                        next = Math.Min(next, run.DueTimestamp);
                    }
                }
            }

            // Ticks run outside the lock: a controller may start workers, and registration must never wait for that.
            foreach (var run in due)
            {
                run.Tick();
                next = Math.Min(next, run.DueTimestamp);
            }

            due.Clear();
            var wait = next == long.MaxValue ? Timeout.InfiniteTimeSpan : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero)
            {
                // Published before re-checking the runs, so a run registered meanwhile either is seen here or wakes us.
                Volatile.Write(ref _sleepsUntil, next);
                lock (Gate)
                {
                    foreach (var run in Runs)
                    {
                        if (run.DueTimestamp < next)
                        {
                            next = run.DueTimestamp;
                        }
                    }
                }

                wait = next == long.MaxValue ? Timeout.InfiniteTimeSpan : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero)
                {
                    Wake.WaitOne(SleepMilliseconds(wait));
                }

                Volatile.Write(ref _sleepsUntil, 0);
            }
        }
    }
}
