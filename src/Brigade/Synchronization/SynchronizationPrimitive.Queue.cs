namespace Brigade.Synchronization;

// Lock order (see the class remarks): WaitForGraph.Gate, then a primitive's _queueLock; nothing else is taken under a
// queue lock, and no continuation, handler or observer runs under it (Signals carries them out after release).

/// <content>The wait queue: granting or waking waiters when the primitive is freed, timeouts, cancellation, enqueue and removal.</content>
public abstract partial class SynchronizationPrimitive
{
    /// <summary>Releases and wakes or grants waiters: for primitives whose release is lock-free.</summary>
    private protected void OnFreed(Holder? releaser)
    {
        var signals = default(Signals);
        var now = StarvationClock();
        lock (_queueLock)
        {
            ProcessQueueLocked(releaser, ref signals, now);
        }

        signals.Send(this);
    }

    /// <summary>Reads the clock for a starvation check, before taking the queue lock (0: no check).</summary>
    private protected long StarvationClock() =>
        DetectsPitfalls && Diagnostics.StarvationThreshold != Timeout.InfiniteTimeSpan ? Time.GetTimestamp() : 0;

    /// <summary>After the primitive was freed (or a waiter left): grant (fair) or wake (unfair) waiters; check starvation.</summary>
    /// <param name="releaser">Who released, counted as a winner; null when a waiter left.</param>
    /// <param name="signals">Collects what to do after the lock is released.</param>
    /// <param name="now">The time of the starvation check, read before the lock was taken; 0 for none.</param>
    private protected void ProcessQueueLocked(Holder? releaser, ref Signals signals, long now)
    {
        if (_head is null)
        {
            return;
        }

        if (DetectsPitfalls)
        {
            if (releaser is not null)
            {
                Tally(releaser);
            }

            if (now != 0)
            {
                CheckStarvationLocked(ref signals, now);
            }
        }

        if (Fairness == LockFairness.Fair)
        {
            // FIFO hand-off: the primitive goes straight to the longest waiters that can have it.
            while (_head is { } first && TryTake(first.Holder, first.Mode, out var serial))
            {
                Remove(first);
                first.Serial = serial;
                first.State = WaitState.Granted;
                signals.Add(first);
            }

            return;
        }

        // Unfair: wake the first waiter that could take it; it competes with newcomers when it runs. One retry at a
        // time: a woken waiter that wins wakes the next one (readers), one that loses waits for the next release.
        var scanned = 0;
        for (var node = _head; node is not null && scanned < MaxWakeScan; node = node.Next, scanned++)
        {
            if (node.State == WaitState.Woken)
            {
                return;
            }

            if (CouldTake(node.Mode))
            {
                node.State = WaitState.Woken;
                signals.Add(node);
                return;
            }
        }
    }

    /// <summary>
    /// Arms a wait's timeout. The timeout runs from the node's start (before it was queued and visible), so time that
    /// passed in between counts: a timeout already due fires at once instead of being armed late.
    /// </summary>
    private ITimer? StartTimeout(WaitNode node, TimeSpan timeout)
    {
        var remaining = timeout - Time.GetElapsedTime(node.StartTimestamp);
        if (remaining <= TimeSpan.Zero)
        {
            TimeOut(node);
            return null;
        }

        var timer = Time.CreateTimer(TimeoutCallback, node, remaining, Timeout.InfiniteTimeSpan);

        // The clock may have moved while the timer was armed (relative to a later "now"): check once more. Timing out
        // twice is harmless; the second attempt finds the node no longer queued.
        if (Time.GetElapsedTime(node.StartTimestamp) >= timeout)
        {
            TimeOut(node);
        }

        return timer;
    }

    /// <summary>Takes a waiter out of the queue unless it was already granted; passes its turn on.</summary>
    private bool TryAbandon(WaitNode node)
    {
        var signals = default(Signals);
        lock (_queueLock)
        {
            if (node.State is not (WaitState.Queued or WaitState.Woken))
            {
                return false;
            }

            node.State = WaitState.Abandoned;
            Remove(node);
            ProcessQueueLocked(null, ref signals, 0);
        }

        signals.Send(this);
        return true;
    }

    private void TimeOut(WaitNode node)
    {
        if (!TryAbandon(node))
        {
            return;
        }

        if (node.IsAsync)
        {
            node.Complete(default);
        }
        else
        {
            node.Event!.Set();
        }
    }

    private void Cancel(WaitNode node)
    {
        if (TryAbandon(node))
        {
            node.Fail(new OperationCanceledException(node.CancellationToken));
        }
    }

    private void Enqueue(WaitNode node)
    {
        node.Previous = _tail;
        node.Next = null;
        if (_tail is null)
        {
            _head = node;
        }
        else
        {
            _tail.Next = node;
        }

        _tail = node;
        Interlocked.Increment(ref _queued);
    }

    private void Remove(WaitNode node)
    {
        if (node.Previous is null)
        {
            _head = node.Next;
        }
        else
        {
            node.Previous.Next = node.Next;
        }

        if (node.Next is null)
        {
            _tail = node.Previous;
        }
        else
        {
            node.Next.Previous = node.Previous;
        }

        node.Previous = null;
        node.Next = null;
        Interlocked.Decrement(ref _queued);
        if (_head is null)
        {
            _releaseCount = 0;
        }
    }
}
