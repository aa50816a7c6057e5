using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Brigade.Sources;

namespace Brigade.Sinks;

/// <summary>
/// Hands results to a reader in input order. A result that finishes ahead of an earlier item waits here; the
/// <see cref="OrderWindow"/> stops workers from taking new items while too many wait, so memory stays bounded
/// even over an endless input.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "SemaphoreSlim holds no OS handle unless AvailableWaitHandle is used.")]
internal sealed class OrderedStreamSink<TOut>(OrderWindow window) : ResultSink<TOut>
{
    private readonly Channel<ItemResult<TOut>> _channel = Channel.CreateBounded<ItemResult<TOut>>(
        new BoundedChannelOptions(Math.Max(1, window.Capacity)) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    // Serializes delivery so results enter the channel in index order; held across channel writes on purpose:
    // a worker that finishes while the reader is slow waits here, which is the stream's backpressure.
    private readonly SemaphoreSlim _deliver = new(1, 1);

    // Guarded by _deliver: results waiting for an earlier index, and ranges that will never produce a result.
    private readonly SortedDictionary<long, ItemResult<TOut>> _waiting = [];
    private readonly SortedDictionary<long, long> _skipped = [];
    private long _next;

    public ChannelReader<ItemResult<TOut>> Reader => _channel.Reader;

    public override async ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken)
    {
        await _deliver.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
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
        }
        finally
        {
            _deliver.Release();
        }
    }

    public override void OnNotRun(long startIndex, int count)
    {
        // Recorded without delivering: the next batch to finish, or completion, moves past the gap.
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

    private async ValueTask DrainAsync(CancellationToken cancellationToken)
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
            window.Advance(_next);
        }

        window.Advance(_next);
    }
}
