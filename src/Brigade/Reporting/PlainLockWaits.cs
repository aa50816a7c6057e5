using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Brigade.Reporting;

/// <summary>
/// Times waits on plain <c>lock</c> (<see cref="Monitor"/>, and <see cref="Lock"/>) from the runtime's contention events
/// (<c>Microsoft-Windows-DotNETRuntime</c>, keyword 0x4000; <c>ContentionStop</c>'s duration, .NET 8 and later), for
/// <see cref="RunLosses"/>: an in-process <see cref="EventListener"/>, started once per process (<see cref="Start"/>) and
/// read by time window, since switching an event session per run costs milliseconds.
/// </summary>
/// <remarks>
/// The runtime delivers the events on its own dispatch thread, after the fact and in time order. A reading for a window
/// that has just closed waits (boundedly) for an event past its end: it causes one short contention of its own as a
/// marker. The events are process-wide, like the other counters of a run's losses: contention outside the run's items
/// during its window counts too (Brigade's own locks included).
/// </remarks>
internal static class PlainLockWaits
{
    private const int Buckets = 1 << 16;
    private static readonly long BucketTicks = TimeSpan.FromMilliseconds(0.1).Ticks;
    private static readonly TimeSpan MarkerWait = TimeSpan.FromSeconds(1);
    private static readonly Lock Gate = new();

    // A ring of (time bucket, wait ticks ended in it), oldest first, appended by the dispatch thread.
    private static readonly long[] _bucketOf = new long[Buckets];
    private static readonly long[] _waitIn = new long[Buckets];
    private static readonly int[] _stopsIn = new int[Buckets];
    private static long _count;
    private static long _startedTicks = long.MaxValue;
    private static long _lastEventTicks;
    private static Listener? _listener;
    private static int _startingInBackground;
    private static bool _failed;

    // Auto mode's runs using the listener it started (see Use): when the last one is done and none comes for Linger, the
    // listener is switched off again, unless someone started it explicitly (Start: reporting of losses, keeps it on).
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(30);
    private static int _users;
    private static bool _explicit;
    private static Timer? _lingerTimer;

    // The clocks when the event session started: events carry UTC times the runtime derives from the monotonic clock
    // and its own reading of both at that moment, so a time converts back to a Stopwatch timestamp within microseconds.
    private static long _utcAtStart;
    private static long _stopwatchAtStart;

    // Waits by OS thread, for the threads someone watches (auto mode's workers, see Watch): thread id → its watcher,
    // called with each wait's start (a Stopwatch timestamp) and length (ticks).
    private static readonly ConcurrentDictionary<long, Action<long, long, long>> Watched = new();

    /// <summary>Gets whether the runtime's event sources are supported (they may be trimmed away), so timing can start.</summary>
    public static bool IsSupported =>
        !AppContext.TryGetSwitch("System.Diagnostics.Tracing.EventSource.IsSupported", out var supported) || supported;

    /// <summary>Gets whether the listener is on.</summary>
    public static bool IsStarted => Volatile.Read(ref _listener) is not null;

    /// <summary>Gets whether starting the listener failed (it threw): plain-lock waits cannot be timed in this process.</summary>
    public static bool Failed => Volatile.Read(ref _failed);

    /// <summary>Starts timing (process-wide) and keeps it on for the process's life; later calls do nothing. Returns whether it is on.</summary>
    public static bool Start()
    {
        Volatile.Write(ref _explicit, true);
        return StartCore();
    }

    private static bool StartCore()
    {
        if (_listener is not null)
        {
            return true;
        }

        lock (Gate)
        {
            if (_listener is null && !_failed && IsSupported)
            {
                try
                {
                    _listener = new Listener();
                }
                catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
                {
                    // The runtime's event sources cannot be listened to here: counts stay the only evidence.
                    Volatile.Write(ref _failed, true);
                }
            }

            return _listener is not null;
        }
    }

    /// <summary>Notes that a run uses the timing auto mode started (<see cref="StartInBackground"/>), if it is on: it then
    /// stays on until the run calls <see cref="Done"/>, and for <c>Linger</c> (30 s) after the last such run.</summary>
    /// <returns>Whether it is on (and held on): only then does the run call <see cref="Done"/>. Checked under the same lock
    /// as the linger's end (<see cref="StopIfUnused"/>), so the listener cannot go between the check and the use.</returns>
    public static bool Use()
    {
        lock (Gate)
        {
            if (_listener is null)
            {
                return false;
            }

            _users++;
            return true;
        }
    }

    /// <summary>Notes that a run that called <see cref="Use"/> is over: once no run uses the timing for 30 s and nobody
    /// started it explicitly, the event session is switched off (every contention in the process costs an event while on).</summary>
    public static void Done()
    {
        lock (Gate)
        {
            if (--_users == 0)
            {
                ArmLinger();
            }
        }
    }

    // Under Gate: the listener goes off Linger from now unless a run uses it meanwhile (or someone started it explicitly).
    private static void ArmLinger()
    {
        if (!Volatile.Read(ref _explicit))
        {
            _lingerTimer ??= Internal.DetachedContext.CreateTimer(static _ => StopIfUnused(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _lingerTimer.Change(Linger, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Switches the listener off now if no run uses it and nobody started it explicitly (the linger's end).</summary>
    /// <returns>Whether it was switched off.</returns>
    public static bool StopIfUnused()
    {
        Listener? stopped;
        lock (Gate)
        {
            if (_users > 0 || Volatile.Read(ref _explicit) || _listener is null)
            {
                return false;
            }

            stopped = _listener;
            Volatile.Write(ref _listener, null);
            Volatile.Write(ref _startedTicks, long.MaxValue);
            Volatile.Write(ref _startingInBackground, 0);
        }

        stopped.Dispose();
        return true;
    }

    /// <summary>
    /// Starts timing on a thread of its own and returns at once (the first start in a process costs ~0.2 s of CPU: the
    /// runtime's event source describes its events); later calls do nothing.
    /// </summary>
    public static void StartInBackground()
    {
        if (_listener is null && !_failed && Interlocked.Exchange(ref _startingInBackground, 1) == 0)
        {
            // A thread of its own: the thread pool may be busy with the very run that asks. Nothing escapes the thread
            // (review 10 S4: any exception of the listener's constructor would end the process there): a failure leaves
            // timing off for good, as does a thread that cannot start. The run that asked may end before the listener is
            // on and never use it: the linger is armed now, so a listener nobody uses goes off again (review 10 S3).
            try
            {
                Internal.DetachedContext.Start(new Thread(static () =>
                {
                    try
                    {
                        if (StartCore())
                        {
                            lock (Gate)
                            {
                                if (_users == 0)
                                {
                                    ArmLinger();
                                }
                            }
                        }
                    }
                    catch (Exception)
                    {
                        Volatile.Write(ref _failed, true);
                    }
                }) { IsBackground = true, Name = "brigade lock-wait timing start" });
            }
            catch (OutOfMemoryException)
            {
                Volatile.Write(ref _failed, true);
            }
        }
    }

    /// <summary>Gets the time (UTC ticks) of the newest event delivered: waits that ended before it have all arrived.</summary>
    public static long LastEventTicks => Volatile.Read(ref _lastEventTicks);

    /// <summary>
    /// Passes each plain-lock wait of the OS thread <paramref name="osThreadId"/> to <paramref name="onWait"/> from now on
    /// (the thread's id, its start as a <see cref="System.Diagnostics.Stopwatch"/> timestamp and its length in ticks when it
    /// ends, and its start with a length of -1 when it begins; on the listener's thread, as the events arrive, a few
    /// milliseconds late), until <see cref="Unwatch"/>; one watcher per thread, the latest.
    /// </summary>
    /// <param name="osThreadId">The thread's OS id (as the runtime's events carry it).</param>
    /// <param name="onWait">The watcher.</param>
    public static void Watch(long osThreadId, Action<long, long, long> onWait) => Watched[osThreadId] = onWait;

    /// <summary>Stops passing the thread's waits to <paramref name="onWait"/> (when it is still the thread's watcher).</summary>
    /// <param name="osThreadId">The thread's OS id.</param>
    /// <param name="onWait">The watcher.</param>
    public static void Unwatch(long osThreadId, Action<long, long, long> onWait) =>
        Watched.TryRemove(new KeyValuePair<long, Action<long, long, long>>(osThreadId, onWait));

    /// <summary>Gets the number of threads watched (for tests).</summary>
    internal static int WatchedThreads => Watched.Count;

    /// <summary>
    /// The plain-lock wait time that ended within the window, clipped to it; null when the listener was not on for the
    /// whole window or lost its events (the ring wrapped, or far fewer waits arrived than the runtime counted).
    /// </summary>
    /// <param name="start">The window's start (UTC).</param>
    /// <param name="end">The window's end (UTC).</param>
    /// <param name="contentions">The contentions the runtime counted in the window (<see cref="Monitor.LockContentionCount"/>'s
    /// difference), or -1 when not known: at 0 nothing is waited for.</param>
    /// <remarks>
    /// The runtime writes one wait's end event per contention it counts (for <see cref="Monitor"/> and <see cref="Lock"/>
    /// alike), but delivers them through a buffer of its own: when the listener's thread cannot keep up (a machine whose
    /// cores are taken, a process contending elsewhere at a high rate), the buffer fills and the runtime drops events.
    /// A window that received fewer than half the waits counted in it is then not timed: 0 ms of lock waits would be
    /// false (seen once in CI: a lock serializing four threads read no contention at all).
    /// </remarks>
    public static TimeSpan? Waited(DateTime start, DateTime end, long contentions)
    {
        if (_listener is null || start.Ticks < Volatile.Read(ref _startedTicks))
        {
            return null;
        }

        if (contentions == 0)
        {
            return TimeSpan.Zero;
        }

        if (Volatile.Read(ref _lastEventTicks) < end.Ticks && !Flush(end))
        {
            return null;
        }

        lock (Gate)
        {
            var count = _count;
            var first = Math.Max(0, count - Buckets);
            if (count > Buckets && _bucketOf[first % Buckets] * BucketTicks > start.Ticks)
            {
                return null; // the ring no longer holds the window's start
            }

            long ticks = 0, stops = 0;
            for (var i = count - 1; i >= first; i--)
            {
                var bucket = _bucketOf[i % Buckets] * BucketTicks;
                if (bucket < start.Ticks - BucketTicks)
                {
                    break;
                }

                if (bucket <= end.Ticks)
                {
                    ticks += _waitIn[i % Buckets];
                    stops += _stopsIn[i % Buckets];
                }
            }

            return IsShort(stops, contentions) ? null : TimeSpan.FromTicks(ticks);
        }
    }

    /// <summary>Gets whether the waits that arrived for a window are far fewer than the runtime counted in it: the
    /// runtime dropped events (at least 4 counted, fewer than half arrived; the window's edges may shift a few).</summary>
    /// <param name="arrived">The waits whose end event arrived for the window.</param>
    /// <param name="counted">The contentions the runtime counted in it, or -1 when not known.</param>
    internal static bool IsShort(long arrived, long counted) => counted >= 4 && arrived * 2 < counted;

    // Causes one contention after the window's end and waits until its event arrives: every event before it has.
    private static bool Flush(DateTime end)
    {
        var marker = new object();
        using var held = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            lock (marker)
            {
                held.Set();
                Thread.Sleep(5);
            }
        }) { IsBackground = true, Name = "brigade lock-wait marker" };
        holder.Start();
        held.Wait();
        lock (marker)
        {
        }

        holder.Join();
        var deadline = DateTime.UtcNow + MarkerWait;
        var spin = new SpinWait();
        while (Volatile.Read(ref _lastEventTicks) < end.Ticks)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            if (spin.NextSpinWillYield)
            {
                Thread.Sleep(1);
            }
            else
            {
                spin.SpinOnce();
            }
        }

        return true;
    }

    private static long ToStopwatch(long utcTicks) =>
        Volatile.Read(ref _stopwatchAtStart) + (long)((utcTicks - Volatile.Read(ref _utcAtStart)) * (System.Diagnostics.Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));

    private static void Add(DateTime at, double durationNs, long osThreadId)
    {
        var ticks = (long)(durationNs / 100);
        if (!Watched.IsEmpty && Watched.TryGetValue(osThreadId, out var watcher))
        {
            watcher(osThreadId, ToStopwatch(at.Ticks - ticks), ticks);
        }

        var bucket = at.Ticks / BucketTicks;
        lock (Gate)
        {
            var last = (_count - 1) % Buckets;
            if (_count > 0 && _bucketOf[last] == bucket)
            {
                _waitIn[last] += ticks;
                _stopsIn[last]++;
            }
            else
            {
                _bucketOf[_count % Buckets] = bucket;
                _waitIn[_count % Buckets] = ticks;
                _stopsIn[_count % Buckets] = 1;
                _count++;
            }
        }

        if (at.Ticks > Volatile.Read(ref _lastEventTicks))
        {
            Volatile.Write(ref _lastEventTicks, at.Ticks);
        }
    }

    private sealed class Listener : EventListener
    {
        private const int ContentionStart = 81;
        private const int ContentionStop = 91;
        private const EventKeywords ContentionKeyword = (EventKeywords)0x4000;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                Volatile.Write(ref _utcAtStart, DateTime.UtcNow.Ticks);
                Volatile.Write(ref _stopwatchAtStart, System.Diagnostics.Stopwatch.GetTimestamp());
                EnableEvents(eventSource, EventLevel.Informational, ContentionKeyword);
                Volatile.Write(ref _startedTicks, DateTime.UtcNow.Ticks);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventId == ContentionStart)
            {
                // A watched thread started waiting: its watcher may count the wait so far before it ends. The events come
                // in time order, so every wait that ended before this one began has arrived.
                var began = eventData.TimeStamp.ToUniversalTime().Ticks;
                if (!Watched.IsEmpty && Watched.TryGetValue(eventData.OSThreadId, out var watcher))
                {
                    watcher(eventData.OSThreadId, ToStopwatch(began), -1);
                }

                if (began > Volatile.Read(ref _lastEventTicks))
                {
                    Volatile.Write(ref _lastEventTicks, began);
                }

                return;
            }

            if (eventData.EventId != ContentionStop || eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
            {
                return;
            }

            var managed = true;
            double duration = 0;
            for (var i = 0; i < names.Count && i < payload.Count; i++)
            {
                switch (names[i])
                {
                    case "Flags":
                        managed = Convert.ToInt32(payload[i], System.Globalization.CultureInfo.InvariantCulture) == 0;
                        break;
                    case "DurationNs":
                        duration = Convert.ToDouble(payload[i], System.Globalization.CultureInfo.InvariantCulture);
                        break;
                }
            }

            if (managed)
            {
                Add(eventData.TimeStamp.ToUniversalTime(), duration, eventData.OSThreadId);
            }
            else if (eventData.TimeStamp.ToUniversalTime().Ticks > Volatile.Read(ref _lastEventTicks))
            {
                Volatile.Write(ref _lastEventTicks, eventData.TimeStamp.ToUniversalTime().Ticks);
            }
        }
    }
}
