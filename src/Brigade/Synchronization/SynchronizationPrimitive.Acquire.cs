using Brigade.Diagnostics;

namespace Brigade.Synchronization;

// Lock order (see the class remarks): WaitForGraph.Gate, then a primitive's _queueLock; nothing else is taken under a
// queue lock, and no continuation, handler or observer runs under it (Signals carries them out after release).

/// <content>Acquisition: the blocking and the asynchronous paths, from the fast attempt to the wait.</content>
public abstract partial class SynchronizationPrimitive
{
    /// <summary>A blocking acquisition: order check, fast attempt, spin, wait.</summary>
    private protected LockScope AcquireCore(AccessMode mode, TimeSpan timeout, CancellationToken cancellationToken, in CallSite site)
    {
        ValidateTimeout(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        var thread = ThreadHolder.Current;
        Holder holder = DetectsPitfalls ? thread : SentinelHolder.Instance;
        if (DetectsPitfalls && timeout != TimeSpan.Zero)
        {
            var chain = FlowState.RawChain;
            if (thread.Count != 0 || chain is not null)
            {
                Diagnostics.OrderGraph.Check(this, mode, thread, thread, chain, site);
                return AcquireOrdered(thread, holder, mode, timeout, cancellationToken, site);
            }
        }

        return AcquireChecked(thread, holder, mode, timeout, cancellationToken, site);
    }

    /// <summary>
    /// An acquisition whose lock orders were checked: they are recorded if it happens (see
    /// <see cref="LockOrderGraph.CommitPending"/>); a deadlock refusal drops them with their reports.
    /// </summary>
    private LockScope AcquireOrdered(ThreadHolder thread, Holder holder, AccessMode mode, TimeSpan timeout, CancellationToken cancellationToken, in CallSite site)
    {
        LockScope scope;
        try
        {
            scope = AcquireChecked(thread, holder, mode, timeout, cancellationToken, site);
        }
        catch (Exception e)
        {
            LockOrderGraph.DiscardPending(deadlock: e is DeadlockException);
            throw;
        }

        return Settle(scope);
    }

    /// <summary>Records the checked orders of an acquisition that happened, drops those of one that did not.</summary>
    private protected static LockScope Settle(LockScope scope)
    {
        if (scope.IsAcquired)
        {
            LockOrderGraph.CommitPending();
        }
        else
        {
            LockOrderGraph.DiscardPending(deadlock: false);
        }

        return scope;
    }

    private LockScope AcquireChecked(ThreadHolder thread, Holder holder, AccessMode mode, TimeSpan timeout, CancellationToken cancellationToken, in CallSite site)
    {
        SynchronizationHooks.Observer?.OnAcquiring(this, mode, timeout);
        if (TryTakeFast(holder, mode, out var serial))
        {
            return AcquiredSync(thread, holder, mode, serial, site);
        }

        if (timeout == TimeSpan.Zero)
        {
            SynchronizationHooks.Observer?.OnAcquireFailed(this, mode);
            return default;
        }

        return AcquireContended(thread, holder, mode, site, timeout, cancellationToken);
    }

    /// <summary>The contended part of a blocking acquisition: spin, then queue and wait.</summary>
    private protected LockScope AcquireContended(ThreadHolder thread, Holder holder, AccessMode mode, in CallSite site, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (SpinFor(holder, mode, out var serial) || WaitBlocking(thread, holder, mode, site, timeout, cancellationToken, out serial))
        {
            return AcquiredSync(thread, holder, mode, serial, site);
        }

        SynchronizationHooks.Observer?.OnAcquireFailed(this, mode);
        return default;
    }

    /// <summary>Bookkeeping of a blocking acquisition, on the acquiring thread.</summary>
    private protected LockScope AcquiredSync(ThreadHolder thread, Holder holder, AccessMode mode, long serial, in CallSite site)
    {
        if (DetectsPitfalls)
        {
            thread.Push(this, mode, serial, site);
        }

        SynchronizationHooks.Observer?.OnAcquired(this, mode, holder);
        return new LockScope(this, holder, serial, mode);
    }

    /// <summary>An asynchronous acquisition: order check, fast attempt, then an awaitable wait.</summary>
    private protected ValueTask<LockScope> AcquireCoreAsync(AccessMode mode, TimeSpan timeout, CancellationToken cancellationToken, in CallSite site)
    {
        ValidateTimeout(timeout);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<LockScope>(cancellationToken);
        }

        Holder holder = SentinelHolder.Instance;
        AsyncHolder? chain = null;
        ThreadHolder? thread = null;
        if (DetectsPitfalls)
        {
            chain = FlowState.ActiveChain;
            thread = ThreadHolder.CurrentOrNull is { Count: > 0 } t ? t : null;
            var flow = new AsyncHolder(this, mode, site, chain, chain?.FlowId ?? FlowState.NewFlowId());
            holder = flow;
            if (timeout != TimeSpan.Zero && (thread is not null || chain is not null))
            {
                try
                {
                    Diagnostics.OrderGraph.Check(this, mode, flow, thread, chain, site);
                }
                catch (LockOrderException e)
                {
                    return ValueTask.FromException<LockScope>(e);
                }

                // An awaited wait ends on another thread: its orders are recorded now that it is queued or granted
                // (a deadlock refusal has dropped them by then).
                var acquisition = AcquireCheckedAsync(holder, mode, timeout, thread, chain, cancellationToken, site);
                LockOrderGraph.CommitPending();
                return acquisition;
            }
        }

        return AcquireCheckedAsync(holder, mode, timeout, thread, chain, cancellationToken, site);
    }

    private ValueTask<LockScope> AcquireCheckedAsync(Holder holder, AccessMode mode, TimeSpan timeout, ThreadHolder? thread, AsyncHolder? chain, CancellationToken cancellationToken, in CallSite site)
    {
        SynchronizationHooks.Observer?.OnAcquiring(this, mode, timeout);
        if (TryTakeFast(holder, mode, out var serial))
        {
            return new ValueTask<LockScope>(AcquiredInFlow(holder, mode, serial));
        }

        if (timeout == TimeSpan.Zero)
        {
            SynchronizationHooks.Observer?.OnAcquireFailed(this, mode);
            return default;
        }

        return WaitAsync(holder, mode, site, timeout, thread, chain, cancellationToken);
    }

    private static void ValidateTimeout(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "the timeout must be non-negative or Timeout.InfiniteTimeSpan");
        }
    }

    private LockScope AcquiredInFlow(Holder holder, AccessMode mode, long serial)
    {
        if (holder is AsyncHolder flow)
        {
            flow.Serial = serial;
            FlowState.Push(flow);
        }

        SynchronizationHooks.Observer?.OnAcquired(this, mode, holder);
        return new LockScope(this, holder, serial, mode);
    }

    private bool WaitBlocking(ThreadHolder thread, Holder holder, AccessMode mode, in CallSite site, TimeSpan timeout, CancellationToken cancellationToken, out long serial)
    {
        var wakeUp = thread.WaitEvent;
        wakeUp.Reset();
        var identities = DetectsPitfalls ? FlowState.Identities(thread.Count > 0 ? thread : null, FlowState.ActiveChain) : [];
        var node = new WaitNode(this, holder, mode, site, wakeUp, Time.GetTimestamp(), identities);
        lock (_queueLock)
        {
            // Queue first, then try: a release that frees the primitive after this point sees the waiter.
            Enqueue(node);
            if ((Fairness == LockFairness.Unfair || ReferenceEquals(_head, node)) && TryTake(holder, mode, out serial))
            {
                Remove(node);
                return true;
            }

            node.GrantsAtStart = _grants;
            node.AheadAtStart = _queued - 1;
        }

        ITimer? timer = null;
        ITimer? reportTimer = null;
        try
        {
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                timer = StartTimeout(node, timeout);
            }

            Telemetry.LockContentions.Add(1, _kindTag);
            if (node.InGraph && WaitForGraph.RegisterAndFindCycle(node, identities) is { } cycle && TryAbandon(node))
            {
                var report = WaitForGraph.BuildReport(node, cycle);
                LockOrderGraph.DiscardPendingForDeadlock(cycle);
                Diagnostics.Publish(report);
                throw new DeadlockException(report);
            }

            // The pending inversion reports wait for the end of the wait: a later waiter may still close a cycle with it,
            // and then the deadlock report names this wait (see LockOrderGraph.MarkPendingNamed). Not for ever (review
            // 32): a wait that goes on past the grace publishes them (its thread is woken for that), so an inverter
            // blocked for good behind a holder that waits on something untracked still has its report.
            if (LockOrderGraph.HasUnpublishedPending())
            {
                reportTimer = Time.CreateTimer(ReportsDueCallback, node, LockOrderGraph.PendingReportGrace, Timeout.InfiniteTimeSpan);
            }

            SynchronizationHooks.Observer?.OnWaiting(this, mode, holder);
            while (true)
            {
                try
                {
                    wakeUp.Wait(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    if (TryAbandon(node))
                    {
                        throw;
                    }

                    // Granted before the cancellation was seen: the acquisition stands.
                }
                catch (ThreadInterruptedException)
                {
                    // Leave no queued node behind for a thread that stopped waiting; a grant that already arrived is
                    // recorded and released so that the next waiter gets the primitive.
                    if (!TryAbandon(node))
                    {
                        AcquiredSync(thread, holder, mode, node.Serial, site).Dispose();
                    }

                    throw;
                }

                if (reportTimer is not null && node.ReportsDue)
                {
                    reportTimer.Dispose();
                    reportTimer = null;
                    LockOrderGraph.PublishPendingOfLongWait(Id, node.InGraph ? WaitForGraph.NamedHeldOf(node) : null);
                }

                var signals = default(Signals);
                var outcome = 0;
                serial = 0;
                lock (_queueLock)
                {
                    switch (node.State)
                    {
                        case WaitState.Granted:
                            serial = node.Serial;
                            outcome = 1;
                            break;
                        case WaitState.Abandoned:
                            outcome = -1;
                            break;
                        case WaitState.Woken when TryTake(holder, mode, out serial):
                            Remove(node);
                            node.State = WaitState.Granted;
                            outcome = 1;
                            ProcessQueueLocked(null, ref signals, 0);
                            break;
                        default:
                            // Lost the race to a newcomer (unfair), or a stale wake-up: wait for the next release.
                            node.State = WaitState.Queued;
                            wakeUp.Reset();
                            break;
                    }
                }

                signals.Send(this);
                if (outcome != 0)
                {
                    return outcome > 0;
                }
            }
        }
        finally
        {
            timer?.Dispose();
            reportTimer?.Dispose();
            if (node.InGraph)
            {
                WaitForGraph.Finish(node);
                if (node.NamedHeld is { } named)
                {
                    // A later waiter closed a deadlock with this wait: its inversion reports are not published, however
                    // the wait ended (granted, timed out, cancelled).
                    LockOrderGraph.MarkPendingNamed(Id, named);
                }
            }

            RecordWait(node);
        }
    }

    private ValueTask<LockScope> WaitAsync(Holder holder, AccessMode mode, in CallSite site, TimeSpan timeout, ThreadHolder? thread, AsyncHolder? chain, CancellationToken cancellationToken)
    {
        var identities = DetectsPitfalls ? FlowState.Identities(thread, chain) : [];
        var node = new WaitNode(this, holder, mode, site, null, Time.GetTimestamp(), identities) { CancellationToken = cancellationToken };
        var serial = 0L;
        lock (_queueLock)
        {
            Enqueue(node);
            if ((Fairness == LockFairness.Unfair || ReferenceEquals(_head, node)) && TryTake(holder, mode, out serial))
            {
                Remove(node);
                node = null;
            }
            else
            {
                node.GrantsAtStart = _grants;
                node.AheadAtStart = _queued - 1;
            }
        }

        if (node is null)
        {
            return new ValueTask<LockScope>(AcquiredInFlow(holder, mode, serial));
        }

        // The timeout runs from the moment the waiter is queued; a cancellation or timeout that races with the cycle
        // search below simply wins (the search then finds the node abandoned).
        if (timeout != Timeout.InfiniteTimeSpan && StartTimeout(node, timeout) is { } timer)
        {
            node.AttachTimer(timer);
        }

        if (cancellationToken.CanBeCanceled)
        {
            node.AttachCancellation(cancellationToken.UnsafeRegister(CancelCallback, node));
        }

        Telemetry.LockContentions.Add(1, _kindTag);
        if (node.InGraph && WaitForGraph.RegisterAndFindCycle(node, identities) is { } cycle && TryAbandon(node))
        {
            var report = WaitForGraph.BuildReport(node, cycle);
            LockOrderGraph.DiscardPendingForDeadlock(cycle);
            Diagnostics.Publish(report);
            node.Complete(default);   // ends the node: timer and registration are released; nobody awaits it
            return ValueTask.FromException<LockScope>(new DeadlockException(report));
        }

        if (node.InGraph)
        {
            // Its inversion reports wait for the end of the wait (or a grace), as a blocking wait's (review 32).
            LockOrderGraph.CommitPendingToWait(node);
        }

        SynchronizationHooks.Observer?.OnWaiting(this, mode, holder);
        return new ValueTask<LockScope>(node, node.Version);
    }
}
