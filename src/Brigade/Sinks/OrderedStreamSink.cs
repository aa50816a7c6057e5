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
/// <para>Memory: at most <c>capacity</c> results in the channel, <c>capacity</c> waiting here (or one batch, when a
/// single batch is larger), plus one batch per worker waiting to be admitted and whatever the engine has in flight.</para>
/// </remarks>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "SemaphoreSlim holds no OS handle unless AvailableWaitHandle is used.")]
internal sealed class OrderedStreamSink<TOut>(int capacity) : ResultSink<TOut>
{
    private readonly Channel<ItemResult<TOut>> _channel = Channel.CreateBounded<ItemResult<TOut>>(
        new BoundedChannelOptions(Math.Max(1, capacity)) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    // Serializes delivery so results enter the channel in index order; held across channel writes on purpose: a
    // worker that finishes while the reader is slow waits here, which is the stream's backpressure to the reader.
    private readonly SemaphoreSlim _deliver = new(1, 1);

    // Guarded by _deliver: results waiting for an earlier index, ranges that will never produce a result, the next
    // index to hand out, and the signal that the next index moved (which may make room, or make a batch the gap).
    private readonly SortedDictionary<long, ItemResult<TOut>> _waiting = [];
    private readonly SortedDictionary<long, long> _skipped = [];
    private long _next;
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChannelReader<ItemResult<TOut>> Reader => _channel.Reader;

    public override async ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task advanced;
            await _deliver.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Results another batch left waiting may be due now (a not-run range before them was recorded since).
                await DrainAsync(cancellationToken).ConfigureAwait(false);
                if (ran == 0 || startIndex <= _next || _waiting.Count == 0 || _waiting.Count + ran <= capacity)
                {
                    var f = 0;
                    for (var i = 0; i < ran; i++)
                    {
                        var index = startIndex + i;
                        _waiting[index] = failures is not null && f < failures.Count && failures[f].Index == index
                            ? ItemResult<TOut>.Failure(index, failures[f++].Exception)
                            : ItemResult<TOut>.Success(index, values.Span[i]);
                    }

                    await DrainAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }

                // Not the gap and no room: wait (outside the semaphore) until the gap moves, then look again.
                advanced = _advanced.Task;
            }
            finally
            {
                _deliver.Release();
            }

            await advanced.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override void OnNotRun(long startIndex, int count)
    {
        // Recorded without delivering: the same worker's next delivery (or completion) moves past the gap.
        _deliver.Wait();
        try
        {
            _skipped[startIndex] = startIndex + count;
        }
        finally
        {
            _deliver.Release();
        }
    }

    public override async ValueTask CompleteAsync(Exception? error)
    {
        if (error is null)
        {
            await _deliver.WaitAsync().ConfigureAwait(false);
            try
            {
                await DrainAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
            }
            finally
            {
                _deliver.Release();
            }
        }

        _channel.Writer.TryComplete();
    }

    // Call holding _deliver.
    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        var from = _next;
        try
        {
            while (true)
            {
                if (_skipped.Remove(_next, out var end))
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
                var wake = _advanced;
                _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wake.TrySetResult();
            }
        }
    }
}
