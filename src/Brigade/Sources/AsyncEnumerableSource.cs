using System.Diagnostics;

namespace Brigade.Sources;

/// <summary>
/// An <see cref="IAsyncEnumerable{T}"/>, read by one pump into a bounded buffer that workers take batches from: the
/// producer runs while the workers run, and a worker that comes back takes every item read meanwhile, in one batch.
/// </summary>
/// <remarks>
/// <para>Why a pump (review 29a, finding 9): a producer whose every step completes asynchronously (a
/// <see cref="System.Threading.Channels.Channel"/> fed by another thread, <c>await Task.Yield()</c> per item) gave 1-item
/// batches when each taker read for itself, each paying a batch's cost and a hand-over of the enumerator's gate; 256 async
/// workers or 64 threads queued on that gate one item at a time.</para>
/// <para>Bounds. The pump reads only while the buffer holds fewer than the latest batch size asked for plus the batch
/// sizes of the takers waiting: the producer is never more than one batch ahead of the workers, beside those the waiting
/// workers asked for, so an endless source is consumed in bounded memory.</para>
/// <para>Items read are never held for the producer's next one: a take hands out what the buffer holds (up to its batch
/// size) and waits only when the buffer is empty; the pump wakes one waiting taker as soon as an item arrives (a crawler
/// whose results feed its input never deadlocks), except while another taker is out with a batch and came back within
/// the last 100 µs and the buffer holds less than a batch: that taker, about to come back, takes the item, and no thread
/// is woken per item (on a busy machine each wake-up costs the producer its core). If it does not come back (its item
/// blocks, perhaps on a held one), a timer hands the held items to a waiting taker within about 1 ms. A take that finds the pump idle (the buffer was full, or nothing asked
/// yet) reads on its own thread until a step would wait or its batch is full: an input whose steps complete
/// synchronously fills whole batches, as before. After a take, a pump that stopped for room is restarted only when the
/// producer's last step completed asynchronously, so that the producer runs during the batch: on a pool thread, not the
/// taker's, whose batch is not out yet (review 31, F3: a producer that blocks its caller there delayed the batch; review
/// 38: one that blocks until an item of that very batch has run deadlocked).
/// A take that empties the buffer while nobody reads wakes one waiting taker, which reads on its own thread: no taker
/// stays parked while the producer is idle (review 31, F2).</para>
/// <para>Each index is handed out once, in the producer's order. A producer's exception ends the input: the items read
/// before it are handed out first, and the failure is reported once the buffer is drained (<see cref="ItemSource{T}.Failure"/>),
/// so ItemsRead stays exact; an exception from <c>Current</c>, or any other escaping the pump, ends the input the same way
/// (review 31, F1). Waiting takers leave on the run's token at once; a pending step of a producer that ignores
/// the token is left to finish, and the enumerator is disposed when it does.</para>
/// </remarks>
internal sealed class AsyncEnumerableSource<T>(IAsyncEnumerable<T> source) : ItemSource<T>
{
    // Guards every field below. The enumerator itself is touched only by the pump's owner (_pumping), outside the lock.
    private readonly Lock _lock = new();
    private readonly Queue<T> _buffer = new();
    private readonly Queue<Waiter> _waiters = new();
    private IAsyncEnumerator<T>? _enumerator;
    private CancellationToken _token;

    // A pump owns the enumerator: it runs on a taker's thread, or a step of the producer is pending and its continuation goes on.
    private bool _pumping;

    // Whether the producer's last step completed asynchronously (see the remarks: a take restarts the pump only then).
    private bool _lastStepAsync;

    // The producer returned false or threw (_error); the run closed the source.
    private bool _ended;
    private Exception? _error;
    private bool _closed;

    // How far the pump reads ahead: the latest batch size asked for, plus those of the takers waiting (not yet woken).
    private int _ahead = 1;
    private long _demand;

    // Takers woken that have not taken yet: while one is on its way, a new item wakes no other.
    private int _woken;
    private long _taken;

    // Waking a parked taker costs more than a tiny item (a hand-over to another thread, on a busy machine a wait for a
    // core), and steals the cores from the producer: while a taker came back within DeferWake, it is about to come back
    // again, so a new item that is less than a batch waits for it rather than waking another. Bounded: the timer hands
    // held items to a parked taker within about HeldCheck even if no taker comes back (an item that waits for a held
    // one would otherwise deadlock).
    private static readonly long DeferWake = Stopwatch.Frequency / 10_000;
    private static readonly TimeSpan HeldCheck = TimeSpan.FromMilliseconds(1);
    private long _lastTakeAt;

    // Takers out with a batch, expected back: batches handed out less takes begun after one (a taker that never comes back
    // leaves it high, and the timer bounds what that holds back; a new taker's first take lowers it, which only wakes more).
    private int _out;
    private ITimer? _heldTimer;
    private bool _heldTimerArmed;

    // lib63: a step still pending when the run closed the source (a producer that ignores the token): CloseAsync waits
    // for the pump to end (_pumpGone, set by the pump's last exit), ItemPolicy.AbandonGrace at most, and then says it
    // left the step behind (_leftPending), as EnumerableSource does for a MoveNext that blocks.
    private TaskCompletionSource? _pumpGone;
    private volatile bool _leftPending;

    public override long Taken => Volatile.Read(ref _taken);

    public override bool IsAsynchronous => true;

    /// <inheritdoc/>
    internal override string? LeftBehind => _leftPending
        ? $"the input was left waiting in its enumerator's MoveNextAsync (still pending {Engines.ItemPolicy.AbandonGrace.TotalSeconds:0} s after the run stopped reading: the producer ignored the cancellation token): the enumerator is disposed when that step completes"
        : null;

    /// <inheritdoc/>
    internal override string? LeftBehindBrief => _leftPending ? "input left pending in MoveNextAsync" : null;

    /// <summary>Gets how many items have been read from the producer and not handed out yet, for tests of the read-ahead bound.</summary>
    internal int Buffered
    {
        get
        {
            lock (_lock)
            {
                return _buffer.Count;
            }
        }
    }

    // Ready: items read ahead, the end, or an idle pump whose producer's last step completed synchronously (a take reads on
    // its own thread, as an input whose steps never wait fills whole batches: without this, worker processes over such an
    // input kept one batch in flight instead of two). Not ready: the buffer is empty and the producer's last step waited.
    internal override bool HasReady
    {
        get
        {
            lock (_lock)
            {
                return _buffer.Count > 0 || _ended || _closed || (!_pumping && !_lastStepAsync);
            }
        }
    }

    private long ReadAhead => _ahead + _demand;

    public override ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken)
    {
        long waited = 0;
        return Take(maxCount, cancellationToken, ref waited);
    }

    public override ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken, ref long waitedTicks)
    {
        Waiter? resumed = null;
        while (true)
        {
            var batch = Step(maxCount, resumed, out var wait, cancellationToken);
            if (wait is null)
            {
                return batch;
            }

            wait.Listen(cancellationToken);
            var waitStart = Stopwatch.GetTimestamp();
            try
            {
                wait.Task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                Left(wait);
                throw;
            }
            finally
            {
                wait.Unlisten();
                waitedTicks += Stopwatch.GetElapsedTime(waitStart).Ticks;
            }

            resumed = wait;
        }
    }

    public override async ValueTask<ItemBatch<T>> TakeAsync(int maxCount, CancellationToken cancellationToken)
    {
        Waiter? resumed = null;
        while (true)
        {
            var batch = Step(maxCount, resumed, out var wait, cancellationToken);
            if (wait is null)
            {
                return batch;
            }

            wait.Listen(cancellationToken);
            try
            {
                await wait.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Left(wait);
                throw;
            }
            finally
            {
                wait.Unlisten();
            }

            resumed = wait;
        }
    }

    // One look at the buffer: a batch (empty at the end), or a waiter to wait on (then the batch is meaningless).
    private ItemBatch<T> Step(int maxCount, Waiter? resumed, out Waiter? wait, CancellationToken cancellationToken)
    {
        wait = null;
        Waiter? wake = null;
        var pumped = false;
        var back = resumed is null;
        try
        {
            while (true)
            {
                ItemBatch<T> batch;
                bool restart;
                lock (_lock)
                {
                    if (resumed is not null)
                    {
                        if (resumed.Woken)
                        {
                            _woken--;
                        }

                        resumed = null;
                    }
                    else if (back && _out > 0)
                    {
                        _out--;
                    }

                    back = false;

                    ThrowDeferredFailure();
                    cancellationToken.ThrowIfCancellationRequested();
                    if (_closed)
                    {
                        return default;
                    }

                    if (_enumerator is null && !_pumping && !_ended)
                    {
                        _token = cancellationToken;
                    }

                    _ahead = maxCount;
                    var count = _buffer.Count;
                    if (count == 0 && _ended)
                    {
                        if (_error is { } error)
                        {
                            // The producer threw before this take could hand out anything: the failure goes to this taker, once.
                            DeferFailure(error);
                            ThrowDeferredFailure();
                        }

                        return default;
                    }

                    if (count < maxCount && !_pumping && !_ended && !(pumped && count > 0))
                    {
                        // Nobody reads: read here, until a step would wait or the batch is full (once: then take what was read).
                        _pumping = true;
                        pumped = true;
                        restart = false;
                        batch = default;
                    }
                    else if (count == 0)
                    {
                        // The pump waits for the producer: wait for its next item.
                        wait = new Waiter(maxCount);
                        _waiters.Enqueue(wait);
                        _demand += maxCount;
                        return default;
                    }
                    else
                    {
                        // Whatever was read, up to the batch size, without waiting for the producer's next item.
                        var n = Math.Min(count, maxCount);
                        var items = new T[n];
                        for (var i = 0; i < n; i++)
                        {
                            items[i] = _buffer.Dequeue();
                        }

                        var start = _taken;
                        Volatile.Write(ref _taken, start + n);
                        _lastTakeAt = Stopwatch.GetTimestamp();
                        _out++;
                        batch = new ItemBatch<T>(start, items);
                        if (_buffer.Count == 0 && _error is { } error)
                        {
                            // The last item read before the failure is out: report it now (the next take throws it, once).
                            DeferFailure(error);
                        }
                        else if (_buffer.Count > 0 && _woken == 0)
                        {
                            wake = WakeOne();
                        }

                        restart = !_pumping && !_ended && _lastStepAsync && !_token.IsCancellationRequested && _buffer.Count < ReadAhead;
                        if (restart)
                        {
                            _pumping = true;
                        }
                        else
                        {
                            if (wake is null && _buffer.Count == 0 && IdleWithNobodyComing())
                            {
                                // Nobody reads and nobody is on the way: a parked taker reads on its own thread (review 31, F2).
                                wake = WakeOne();
                            }

                            return batch;
                        }
                    }
                }

                // A taker woken for what this take left is told first (review 32): the pump may block this thread in the
                // producer (F3), and a woken taker counts as on its way, so no item and no timer would wake another.
                if (wake is not null)
                {
                    wake.TrySetResult();
                    wake = null;
                }

                if (restart)
                {
                    // On a pool thread, not this one: this taker's batch is not out yet, and a producer that blocks its
                    // caller until an item already handed out has run (a crawler reading its results synchronously) waited
                    // for this very batch, for good (review 38; the producer is restarted only after an asynchronous step,
                    // so it was going to run on another thread anyway).
                    ThreadPool.QueueUserWorkItem(static s => _ = s.PumpAsync(), this, preferLocal: false);
                    return batch;
                }

                // Nobody reads and this taker has nothing: it runs the pump on its own thread until a step would wait (its
                // continuation goes on), the read-ahead is full or the input ends, then takes what was read.
                _ = PumpAsync();
            }
        }
        finally
        {
            wake?.TrySetResult();
        }
    }

    // A waiting taker left on the run's token: it no longer asks for items; a wake it got goes to another.
    private void Left(Waiter wait)
    {
        Waiter? wake = null;
        lock (_lock)
        {
            if (wait.Woken)
            {
                _woken--;
                if ((_buffer.Count > 0 && _woken == 0) || (_buffer.Count == 0 && IdleWithNobodyComing()))
                {
                    wake = WakeOne();
                }
            }
            else
            {
                wait.Gone = true;
                _demand -= wait.MaxCount;
            }
        }

        wake?.TrySetResult();
    }

    // Call under the lock: the input is not over, nobody reads it and no woken taker is on its way to read it.
    private bool IdleWithNobodyComing() => !_pumping && !_ended && !_closed && _woken == 0 && !_token.IsCancellationRequested;

    // Call under the lock: the first taker still waiting, marked woken; the caller completes it once outside the lock.
    private Waiter? WakeOne()
    {
        while (_waiters.TryDequeue(out var w))
        {
            if (w.Gone)
            {
                continue;
            }

            w.Woken = true;
            _demand -= w.MaxCount;
            _woken++;
            return w;
        }

        return null;
    }

    // Call under the lock: items are held for a taker that is expected back; make sure a parked one gets them if it is not.
    private void ArmHeldTimer()
    {
        if (_heldTimerArmed)
        {
            return;
        }

        _heldTimerArmed = true;
        if (_heldTimer is null)
        {
            // Without the run's execution context: the timer is the source's, not any item's.
            using (ExecutionContext.SuppressFlow())
            {
                _heldTimer = TimeProvider.System.CreateTimer(static s => ((AsyncEnumerableSource<T>)s!).CheckHeld(), this, HeldCheck, HeldCheck);
            }
        }
        else
        {
            _heldTimer.Change(HeldCheck, HeldCheck);
        }
    }

    // The timer: items held while takers are parked and none is on its way go to one of them; with nothing held, it stops.
    private void CheckHeld()
    {
        Waiter? wake = null;
        lock (_lock)
        {
            if (!_closed && _buffer.Count > 0 && _woken == 0 && _waiters.Count > 0)
            {
                wake = WakeOne();
            }

            if (wake is null && _heldTimerArmed)
            {
                _heldTimerArmed = false;
                _heldTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        wake?.TrySetResult();
    }

    // Call under the lock: every taker still waiting (the input ended, or the source closed).
    private List<Waiter>? WakeAll()
    {
        List<Waiter>? all = null;
        while (WakeOne() is { } w)
        {
            (all ??= []).Add(w);
        }

        return all;
    }

    // The pump: owned by whoever set _pumping. Runs synchronously on the caller's thread until a step of the producer
    // is pending; its continuation then goes on where the producer completes it. Never throws: any exception that escapes
    // the loop (a producer's is caught inside it) ends the input like a producer's failure, so no bug here can leave the
    // takers waiting on a pump that no longer runs (review 31, F1).
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "A producer's exception is the input's failure, reported to the takers.")]
    private async Task PumpAsync()
    {
        try
        {
            await PumpLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await OnPumpFailedAsync(e).ConfigureAwait(false);
        }
        finally
        {
            // The pump is gone (released by the loop or OnPumpFailedAsync): a close waiting for it goes on.
            TaskCompletionSource? gone;
            lock (_lock)
            {
                gone = _pumping ? null : _pumpGone;
            }

            gone?.TrySetResult();
        }
    }

    private async Task OnPumpFailedAsync(Exception e)
    {
        List<Waiter>? wakeAll = null;
        IAsyncEnumerator<T>? enumerator = null;
        lock (_lock)
        {
            // Only the owner may release the pump; the loop releases it only on its way out, where nothing throws.
            if (_pumping)
            {
                _pumping = false;
                if (!_ended)
                {
                    _ended = true;
                    _error = e;
                }

                wakeAll = WakeAll();
                if (_closed)
                {
                    // CloseAsync left the enumerator to the pump.
                    enumerator = _enumerator;
                    _enumerator = null;
                }
            }
        }

        if (wakeAll is not null)
        {
            foreach (var w in wakeAll)
            {
                w.TrySetResult();
            }
        }

        await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
    }

    // The pump's loop: see PumpAsync.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "A producer's exception is the input's failure, reported to the takers.")]
    private async Task PumpLoopAsync()
    {
        while (true)
        {
            IAsyncEnumerator<T>? enumerator = null;
            var closed = false;
            lock (_lock)
            {
                if (_closed || _token.IsCancellationRequested || _buffer.Count >= ReadAhead)
                {
                    // Closed (the run ended after this pump was started): the enumerator is this pump's to dispose.
                    _pumping = false;
                    if (!_closed)
                    {
                        return;
                    }

                    closed = true;
                    enumerator = _enumerator;
                    _enumerator = null;
                }
            }

            if (closed)
            {
                await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
                return;
            }

            bool more;
            Exception? error = null;
            var wasAsync = false;
            T item = default!;
            try
            {
                // Every taker passes the run's token, so the producer sees cancellation even mid-step.
                _enumerator ??= source.GetAsyncEnumerator(_token);
                var step = _enumerator.MoveNextAsync();
                wasAsync = !step.IsCompleted;
                more = await step.ConfigureAwait(false);
                if (more)
                {
                    // Inside the try: a Current that throws is the producer's failure (review 31, F1).
                    item = _enumerator.Current;
                }
            }
            catch (Exception e)
            {
                more = false;
                error = e;
            }

            List<Waiter>? wakeAll = null;
            Waiter? wake = null;
            var stop = false;
            lock (_lock)
            {
                _lastStepAsync = wasAsync;
                if (_closed)
                {
                    // The run ended while the step was pending: its item (or failure) has nowhere to go.
                    _pumping = false;
                    enumerator = _enumerator;
                    _enumerator = null;
                    stop = true;
                }
                else if (!more)
                {
                    _ended = true;
                    _error = error;
                    _pumping = false;
                    wakeAll = WakeAll();
                    stop = true;
                }
                else
                {
                    _buffer.Enqueue(item);
                    if (_woken == 0 && _waiters.Count > 0)
                    {
                        if (_out == 0 || _buffer.Count >= _ahead || Stopwatch.GetTimestamp() - _lastTakeAt > DeferWake)
                        {
                            wake = WakeOne();
                        }
                        else
                        {
                            ArmHeldTimer();
                        }
                    }
                }
            }

            wake?.TrySetResult();
            if (wakeAll is not null)
            {
                foreach (var w in wakeAll)
                {
                    w.TrySetResult();
                }
            }

            if (stop)
            {
                if (enumerator is not null)
                {
                    await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
                }

                return;
            }
        }
    }

    protected override async ValueTask CloseAsync()
    {
        IAsyncEnumerator<T>? enumerator = null;
        List<Waiter>? waiting;
        ITimer? timer;
        TaskCompletionSource? pumpGone = null;
        lock (_lock)
        {
            _closed = true;
            _buffer.Clear();
            timer = _heldTimer;
            _heldTimer = null;
            _heldTimerArmed = false;
            waiting = WakeAll();
            if (!_pumping)
            {
                enumerator = _enumerator;
                _enumerator = null;
            }
            else
            {
                // The pump's step is pending: the pump disposes the enumerator when it ends.
                pumpGone = _pumpGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (waiting is not null)
        {
            foreach (var w in waiting)
            {
                w.TrySetResult();
            }
        }

        timer?.Dispose();
        if (enumerator is not null)
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        if (pumpGone is not null)
        {
            // A producer that honours the token ends its step at once on the cancel; one that ignores it is left behind,
            // and the run says so (lib63: it ended silently, where an IEnumerable's blocked MoveNext was reported).
            try
            {
                await pumpGone.Task.WaitAsync(Engines.ItemPolicy.AbandonGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _leftPending = true;
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "Nobody waits for an abandoned producer: its errors have nowhere to go.")]
    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<T>? enumerator)
    {
        if (enumerator is null)
        {
            return;
        }

        try
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
    }

    // A taker waiting for the pump's next item. Woken and Gone are read and written under the source's lock.
    private sealed class Waiter(int maxCount) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private CancellationTokenRegistration _registration;

        public int MaxCount => maxCount;

        public bool Woken { get; set; }

        public bool Gone { get; set; }

        public void Listen(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (s, token) => ((Waiter)s!).TrySetCanceled(token), this);
            }
        }

        public void Unlisten() => _registration.Dispose();
    }
}
