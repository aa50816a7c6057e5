using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Brigade.Sinks;

/// <summary>
/// Hands results to a reader in input order. A result that finishes ahead of an earlier item waits here; when
/// <c>capacity</c> results wait, a worker delivering one more that is not the oldest outstanding item waits too, so
/// memory stays bounded even over an endless input.
/// </summary>
/// <remarks>
/// <para>Backpressure is applied where results are delivered, never where items are taken, and never to the batch
/// that holds the oldest undelivered item (the gap): the worker that has to fill the gap may be the very one that
/// would wait. An engine that keeps several batches in flight per worker (worker processes send the next batch
/// while the current one runs; a cluster re-queues a lost silo's batch to another slot) would otherwise wait for
/// room that only its own in-flight batch can make: the stream stalled for good. Delivering the gap needs nothing
/// but the reader, so the run always moves.</para>
/// <para>The gap may also sit where no waiting worker can see it: a cluster re-queues a lost silo's batch for the next
/// slot that comes back for work, and every slot may be here, waiting. So a worker that has waited while the gap did
/// not move at all is let through after a while (1 s, then 2 s, 4 s, ... up to 30 s while the gap stays stuck;
/// back to 1 s once it moves): no engine can stall the stream for good, and behind a merely slow item the buffer
/// grows by one batch per worker per such step, not without bound.</para>
/// <para>Memory: at most <c>capacity</c> results in the channel, <c>capacity</c> waiting here (or one batch, when a
/// single batch is larger), plus one batch per worker waiting to be admitted and whatever the engine has in flight;
/// while the oldest item is stuck, a batch per worker more at each step above.</para>
/// </remarks>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "SemaphoreSlim holds no OS handle unless AvailableWaitHandle is used.")]
internal sealed class OrderedStreamSink<TOut>(int capacity, TimeProvider timeProvider, bool inlineReader = false) : ResultSink<TOut>
{
    // With inlineReader (RunOptions.AllowSynchronousContinuations), a write that finds the reader waiting continues the
    // reader's loop on the writing worker, inside _deliver: the result that is next in order is consumed by the thread
    // that holds it, with no wake-up of another thread. The reader then runs under _deliver, so it must not deliver.
    private readonly Channel<ItemResult<TOut>> _channel = Channel.CreateBounded<ItemResult<TOut>>(
        new BoundedChannelOptions(Math.Max(1, capacity)) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait, AllowSynchronousContinuations = inlineReader });

    // Serializes delivery so results enter the channel in index order; held across channel writes on purpose: a
    // worker that finishes while the reader is slow waits here, which is the stream's backpressure to the reader.
    private readonly SemaphoreSlim _deliver = new(1, 1);

    // Guarded by _deliver: results waiting for an earlier index, the next index to hand out, and the signal that the
    // next index moved (which may make room, or make a batch the gap).
    private readonly SortedDictionary<long, ItemResult<TOut>> _waiting = [];
    private long _next;
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Ranges that will never produce a result, under a lock of their own that is held for nothing else (a leaf): they
    // are recorded (OnNotRun) where the run's cancellation ends an item, and with an inline reader that can be on the
    // very thread that holds _deliver further up its stack (the reader left the loop inside a delivery and aborted the
    // run). Waiting for _deliver there waited for itself: the run never ended.
    private readonly Lock _skippedGate = new();
    private readonly SortedDictionary<long, long> _skipped = [];

    // Guarded by _deliver: how long a worker waits for the gap to move before it is let through anyway.
    private TimeSpan _patience = FirstPatience;

    // The wait in progress, written under _deliver and read by the progress timer without it: the item delivery waits for
    // while results after it are held (-1 when none are held), since when, and how many are held. Each read on its own
    // is atomic; a reader may see them from two moments, which a progress line can afford.
    private long _stallIndex = -1;
    private long _stallSince;
    private int _held;
    private int _mostHeld;

    // Guarded by _deliver: the longest wait that ended.
    private DeliveryWait? _longest;

    private static TimeSpan FirstPatience => TimeSpan.FromSeconds(1);

    private static TimeSpan MaxPatience => TimeSpan.FromSeconds(30);

    public ChannelReader<ItemResult<TOut>> Reader => _channel.Reader;

    public override DeliveryWait? Waiting
    {
        get
        {
            var index = Volatile.Read(ref _stallIndex);
            return index < 0 ? null : new DeliveryWait(index, Volatile.Read(ref _held), timeProvider.GetElapsedTime(Volatile.Read(ref _stallSince)));
        }
    }

    public override DeliveryWait? LongestWait
    {
        get
        {
            // Read once the workers are done (the report): a wait still open counts as far as it went.
            var open = Waiting;
            var longest = _longest;
            return open is { } now && (longest is null || now.Waited > longest.Value.Waited) ? now with { Held = Math.Max(now.Held, Volatile.Read(ref _mostHeld)) } : longest;
        }
    }

    public override async ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken)
    {
        var stuck = false;
        while (true)
        {
            Task advanced;
            TimeSpan patience;
            long gap;
            await _deliver.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Results another batch left waiting may be due now (a not-run range before them was recorded since).
                await DrainAsync(cancellationToken).ConfigureAwait(false);
                if (ran == 0 || startIndex <= _next || _waiting.Count == 0 || _waiting.Count + ran <= capacity || stuck)
                {
                    var f = 0;
                    for (var i = 0; i < ran; i++)
                    {
                        var index = startIndex + i;
                        _waiting[index] = failures is not null && f < failures.Count && failures[f].Index == index
                            ? ItemResult<TOut>.Failure(index, failures[f++].Exception)
                            : ItemResult<TOut>.Success(index, values.Span[i]);
                    }

                    try
                    {
                        await DrainAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        NoteStall();
                    }

                    return;
                }

                // Not the gap and no room: wait (outside the semaphore) until the gap moves, then look again.
                advanced = _advanced.Task;
                patience = _patience;
                gap = _next;
            }
            finally
            {
                _deliver.Release();
            }

            try
            {
                await advanced.WaitAsync(patience, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The gap has not moved for a while: perhaps only this worker can move it. Let it through, and wait
                // longer next time while the gap stays where it is.
                await _deliver.WaitAsync(cancellationToken).ConfigureAwait(false);
                stuck = _next == gap;
                if (stuck && _patience == patience)
                {
                    // Once per step, whichever waiting worker gets here first.
                    _patience = patience * 2 < MaxPatience ? patience * 2 : MaxPatience;
                }

                _deliver.Release();
            }
        }
    }

    public override void OnNotRun(long startIndex, int count)
    {
        // Recorded without delivering, and without waiting for _deliver (see _skippedGate): the same worker's next
        // delivery (or completion), which always follows, moves past the gap.
        lock (_skippedGate)
        {
            _skipped[startIndex] = startIndex + count;
        }
    }

    public override async ValueTask CompleteAsync(Exception? error, CancellationToken abandoned)
    {
        // Results still waiting here (behind a range that never ran) go out to a reader that is still reading. When the
        // reader has left or the run was cancelled nobody makes room for them: waiting for room without the token
        // waited for good, and the reader's DisposeAsync with it, since it waits for the run.
        if (error is null)
        {
            try
            {
                await _deliver.WaitAsync(abandoned).ConfigureAwait(false);
                try
                {
                    await DrainAsync(abandoned).ConfigureAwait(false);
                }
                finally
                {
                    _deliver.Release();
                }
            }
            catch (ChannelClosedException)
            {
            }
            catch (OperationCanceledException) when (abandoned.IsCancellationRequested)
            {
            }
        }

        _channel.Writer.TryComplete();
    }

    // Call holding _deliver, after results were added or delivered: starts, moves or ends the wait on the gap.
    private void NoteStall()
    {
        var index = _waiting.Count > 0 ? _next : -1;
        var current = Volatile.Read(ref _stallIndex);
        var now = timeProvider.GetTimestamp();
        if (index != current)
        {
            if (current >= 0)
            {
                var waited = timeProvider.GetElapsedTime(Volatile.Read(ref _stallSince), now);
                if (_longest is not { } longest || waited > longest.Waited)
                {
                    _longest = new DeliveryWait(current, _mostHeld, waited);
                }
            }

            Volatile.Write(ref _stallSince, now);
            Volatile.Write(ref _mostHeld, 0);
            Volatile.Write(ref _stallIndex, index);
        }

        Volatile.Write(ref _held, _waiting.Count);
        if (_waiting.Count > _mostHeld)
        {
            Volatile.Write(ref _mostHeld, _waiting.Count);
        }
    }

    // Call holding _deliver.
    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        var from = _next;
        try
        {
            while (true)
            {
                long end;
                bool skipped;
                lock (_skippedGate)
                {
                    skipped = _skipped.Remove(_next, out end);
                }

                if (skipped)
                {
                    _next = end;
                    continue;
                }

                if (!_waiting.Remove(_next, out var result))
                {
                    break;
                }

                if (!_channel.Writer.TryWrite(result))
                {
                    await _channel.Writer.WriteAsync(result, cancellationToken).ConfigureAwait(false);
                }

                _next++;
            }
        }
        finally
        {
            if (_next != from)
            {
                _patience = FirstPatience;
                var wake = _advanced;
                _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wake.TrySetResult();
            }
        }
    }
}
