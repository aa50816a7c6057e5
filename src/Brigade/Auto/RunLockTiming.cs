using System.Diagnostics;
using Brigade.Reporting;

namespace Brigade.Auto;

/// <summary>
/// A run's plain-lock timing: from when the workers' waits are timed (<see cref="PlainLockWaits"/>), their time in
/// batches and their timed waits inside them (<see cref="BatchLockWaits"/>), and whether two workers have yet run items at
/// once (one worker cannot contend: a lock shows only once two items want it together).
/// </summary>
/// <remarks>Called by the controller's ticks (<see cref="AutoWorkerPool{TIn, TOut}.Totals"/>), one at a time; its state
/// is guarded by its own lock all the same (the run's end reads it too). Not a leaf: <c>Begin</c> and <c>Stop</c> take
/// <see cref="PlainLockWaits"/>' gate under it, so that gate must never be held while taking this one.</remarks>
internal sealed class RunLockTiming
{
    // How long the runtime may count contention with no event arriving before the listener is taken as deaf (EventPipe
    // off in this process, events dropped): the events' own delay, several times over.
    private static readonly TimeSpan DeafAfter = 5 * AutoTuning.LockEventDelay;
    private static readonly double TicksPerTimestamp = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

    private readonly Lock _gate = new();
    private long _fromBusy = -1;
    private long _fromElapsed;
    private long _fromTimestamp = long.MaxValue;
    private long _contentionsAtStart = -1;
    private long _contendedAfterUtc;
    private bool _using;
    private bool _stopped;
    private long _coveredUntil;

    // The workers seen in batches together at one tick (their ids and items then), and whether two of them have since
    // finished items: then they wanted any lock the items share at the same time.
    private Dictionary<int, long>? _overlap;
    private LoopKind _overlapKind;
    private bool _overlapped;
    private bool _rebased;
    private long _waitedBase;

    /// <summary>Gets whether two workers have finished items since a tick that saw both in a batch.</summary>
    public bool Overlapped => Volatile.Read(ref _overlapped);

    /// <summary>Gets the moment (Stopwatch timestamp) the latest timed figures cover up to; 0 before any.</summary>
    public long CoveredUntil => Volatile.Read(ref _coveredUntil);

    /// <summary>Gets the moment (Stopwatch timestamp) two workers were first seen in batches together; 0 before.</summary>
    public long OverlapSeenAt { get; private set; }

    /// <summary>Starts timing from the run's start when the listener is already on (it covers the run's first batch).</summary>
    public void RunStarted()
    {
        if (PlainLockWaits.IsStarted)
        {
            lock (_gate)
            {
                _ = Begin(0, 0, Stopwatch.GetTimestamp());
            }
        }
    }

    /// <summary>Gets whether a worker has waited for a lock inside one of its own batches since timing began (a wait
    /// delivered so far, finished or still under way): the items themselves contend, not Brigade's locks between batches
    /// nor other threads of the process. False while timing is off.</summary>
    /// <param name="workers">The run's workers.</param>
    public bool WaitedInBatches(List<AutoWorker> workers)
    {
        if (!PlainLockWaits.IsStarted || Volatile.Read(ref _fromTimestamp) == long.MaxValue)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        foreach (var w in workers)
        {
            if (w.LockWaits.TicksUntil(now) > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gives a new worker the moment its waits count from.</summary>
    public void Launched(AutoWorker worker) => worker.LockWaits.CountFrom = Volatile.Read(ref _fromTimestamp);

    /// <summary>Notes which workers of the plan's kind are in a batch at this tick (see <see cref="Overlapped"/>): workers of
    /// another kind leave at their next batch's end, and one that left no longer wants the lock.</summary>
    public void Look(List<AutoWorker> workers, LoopKind kind)
    {
        if (Volatile.Read(ref _overlapped))
        {
            return;
        }

        lock (_gate)
        {
            if (_overlap is not null && _overlapKind != kind)
            {
                _overlap = null;
            }

            if (_overlap is { } seen)
            {
                var moved = 0;
                foreach (var w in workers)
                {
                    if (seen.TryGetValue(w.Id, out var items) && w.Totals.TotalItems > items)
                    {
                        moved++;
                    }
                }

                Volatile.Write(ref _overlapped, moved >= 2);
                return;
            }

            var inBatch = 0;
            foreach (var w in workers)
            {
                inBatch += w.Kind == kind && w.InBatchSince != 0 ? 1 : 0;
            }

            if (inBatch >= 2)
            {
                _overlap = [];
                _overlapKind = kind;
                foreach (var w in workers)
                {
                    if (w.Kind == kind && w.InBatchSince != 0)
                    {
                        _overlap[w.Id] = w.Totals.TotalItems;
                    }
                }

                if (OverlapSeenAt == 0)
                {
                    OverlapSeenAt = Stopwatch.GetTimestamp();
                }
            }
        }
    }

    /// <summary>Adds the timed lock figures to the run's totals: <see cref="LockTiming.Timed"/> once timing covers
    /// <see cref="AutoTuning.MinTimedLocks"/>, <see cref="LockTiming.Pending"/> before, <see cref="LockTiming.Counted"/>
    /// where the listener cannot start or stays deaf to the contention the runtime counts.</summary>
    /// <param name="total">The run's totals.</param>
    /// <param name="workers">The run's workers.</param>
    /// <param name="probing">Whether the run is still sampling: its figures then start again when two workers are first
    /// seen in batches together, so that the share is of their time together, not diluted by the first worker's time alone.</param>
    public WorkSample Timed(WorkSample total, List<AutoWorker> workers, bool probing)
    {
        if (PlainLockWaits.Failed)
        {
            return total with { LockTiming = LockTiming.Counted };
        }

        if (!PlainLockWaits.IsStarted)
        {
            // The runtime counted contention while items waited: time the waits from now on (the listener's first
            // start costs ~0.2 s of CPU, so only runs that may be lock-bound pay it, on a thread of its own).
            if (total.LockContentions > 0 && total.CpuRatio < AutoPlanner.CpuBoundMin)
            {
                PlainLockWaits.StartInBackground();
            }

            return total with { LockTiming = LockTiming.Pending };
        }

        lock (_gate)
        {
            // The events arrive late (AutoTuning.LockEventDelay at most, taken as complete after that): the figures cover
            // the time up to the newest event delivered, and the workers' time in batches is counted up to there.
            var nowUtc = DateTime.UtcNow.Ticks;
            var nowStopwatch = Stopwatch.GetTimestamp();
            var lastEvent = PlainLockWaits.LastEventTicks;
            var notYetTicks = Math.Max(0, nowUtc - Math.Max(lastEvent, nowUtc - AutoTuning.LockEventDelay.Ticks));
            var coveredUntil = nowStopwatch - (long)(notYetTicks / TicksPerTimestamp);
            if (_fromBusy < 0)
            {
                // Timing covers the workers from here: they register their threads at their next batch. Not when the
                // listener was switched off meanwhile (its linger ended): the next tick sees it off.
                if (!Begin(total.LockBusyTicks, total.LockElapsedTicks, nowStopwatch))
                {
                    return total with { LockTiming = LockTiming.Pending };
                }

                foreach (var w in workers)
                {
                    w.LockWaits.CountFrom = nowStopwatch;
                }

                _contentionsAtStart = total.LockContentions;
                return total with { LockTiming = LockTiming.Pending };
            }

            if (_contentionsAtStart < 0)
            {
                _contentionsAtStart = total.LockContentions;
            }

            if (probing && !_rebased && OverlapSeenAt != 0)
            {
                // From here, the time two or more workers ran: a wait queued from before is clipped to it, and the waits
                // counted so far are the base.
                _rebased = true;
                _fromBusy = total.LockBusyTicks;
                _fromElapsed = total.LockElapsedTicks;
                Volatile.Write(ref _fromTimestamp, nowStopwatch);
                _waitedBase = 0;
                foreach (var w in workers)
                {
                    _waitedBase += w.LockWaits.Rebase(nowStopwatch);
                }

                return total with { LockTiming = LockTiming.Pending };
            }

            if (Deaf(total.LockContentions, nowUtc, lastEvent))
            {
                return total with { LockTiming = LockTiming.Counted };
            }

            var waited = -_waitedBase;
            foreach (var w in workers)
            {
                waited += w.LockWaits.TicksUntil(coveredUntil);
            }

            waited = Math.Max(0, waited);

            var elapsed = total.LockElapsedTicks - _fromElapsed;
            var covered = elapsed - Math.Min(notYetTicks, elapsed);
            if (covered < AutoTuning.MinTimedLocks.Ticks)
            {
                return total with { LockTiming = LockTiming.Pending };
            }

            Volatile.Write(ref _coveredUntil, coveredUntil);
            return total with
            {
                LockTiming = LockTiming.Timed,
                TimedLockWaitTicks = waited,
                LockBusyTicks = Math.Max(0, (long)((total.LockBusyTicks - _fromBusy) * ((double)covered / elapsed))),
                LockElapsedTicks = covered,
            };
        }
    }

    /// <summary>Stops timing the workers' waits (the run is over): no worker registers its thread again.</summary>
    public void Stop(List<AutoWorker> workers)
    {
        lock (_gate)
        {
            _stopped = true;
            foreach (var w in workers)
            {
                w.LockWaits.Stop();
            }

            if (_using)
            {
                _using = false;
                PlainLockWaits.Done();
            }
        }
    }

    // Timing covers the run from here, if the listener is still on: Use holds it on from now (review 10 S2: checked
    // apart, the linger's end could switch it off between the check and the use, and the run would count its time in
    // batches with nobody timing its waits).
    private bool Begin(long busy, long elapsed, long timestamp)
    {
        if (!_using)
        {
            if (_stopped || !PlainLockWaits.Use())
            {
                return false;
            }

            _using = true;
        }

        _fromBusy = busy;
        _fromElapsed = elapsed;
        Volatile.Write(ref _fromTimestamp, timestamp);
        return true;
    }

    // The runtime counted contention since timing started, and no event has arrived for well past the events' delay
    // since: the listener hears nothing (EventPipe switched off, say), so timing would read every lock as free.
    private bool Deaf(long contentions, long nowUtc, long lastEventUtc)
    {
        if (contentions <= _contentionsAtStart)
        {
            _contendedAfterUtc = nowUtc;
            return false;
        }

        return lastEventUtc < _contendedAfterUtc && nowUtc - _contendedAfterUtc > DeafAfter.Ticks;
    }
}
