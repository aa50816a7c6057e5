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
    private static long _count;
    private static long _startedTicks = long.MaxValue;
    private static long _lastEventTicks;
    private static Listener? _listener;

    /// <summary>Gets whether the listener is on.</summary>
    public static bool IsStarted => _listener is not null;

    /// <summary>Starts timing (process-wide, once); later calls do nothing. Returns whether it is on.</summary>
    public static bool Start()
    {
        if (_listener is not null)
        {
            return true;
        }

        lock (Gate)
        {
            if (_listener is null && (!AppContext.TryGetSwitch("System.Diagnostics.Tracing.EventSource.IsSupported", out var supported) || supported))
            {
                _listener = new Listener();
            }

            return _listener is not null;
        }
    }

    /// <summary>
    /// The plain-lock wait time that ended within the window, clipped to it; null when the listener was not on for the
    /// whole window or lost its events (the ring wrapped).
    /// </summary>
    /// <param name="start">The window's start (UTC).</param>
    /// <param name="end">The window's end (UTC).</param>
    /// <param name="contended">Whether the runtime counted any contention in the window: when not, nothing is waited for.</param>
    public static TimeSpan? Waited(DateTime start, DateTime end, bool contended)
    {
        if (_listener is null || start.Ticks < Volatile.Read(ref _startedTicks))
        {
            return null;
        }

        if (!contended)
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

            long ticks = 0;
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
                }
            }

            return TimeSpan.FromTicks(ticks);
        }
    }

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

    private static void Add(DateTime at, double durationNs)
    {
        var ticks = (long)(durationNs / 100);
        var bucket = at.Ticks / BucketTicks;
        lock (Gate)
        {
            var last = (_count - 1) % Buckets;
            if (_count > 0 && _bucketOf[last] == bucket)
            {
                _waitIn[last] += ticks;
            }
            else
            {
                _bucketOf[_count % Buckets] = bucket;
                _waitIn[_count % Buckets] = ticks;
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
        private const int ContentionStop = 91;
        private const EventKeywords ContentionKeyword = (EventKeywords)0x4000;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Informational, ContentionKeyword);
                Volatile.Write(ref _startedTicks, DateTime.UtcNow.Ticks);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
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
                Add(eventData.TimeStamp.ToUniversalTime(), duration);
            }
            else if (eventData.TimeStamp.ToUniversalTime().Ticks > Volatile.Read(ref _lastEventTicks))
            {
                Volatile.Write(ref _lastEventTicks, eventData.TimeStamp.ToUniversalTime().Ticks);
            }
        }
    }
}
