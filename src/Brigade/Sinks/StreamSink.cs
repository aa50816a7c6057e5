using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Brigade.Sinks;

/// <summary>Hands each result to a reader as soon as its batch finishes; workers wait when the reader falls behind.</summary>
internal sealed class StreamSink<TOut>(int capacity, bool inlineReader = false) : ResultSink<TOut>
{
    // With inlineReader (RunOptions.AllowSynchronousContinuations), a write that finds the reader waiting continues the
    // reader's loop on the writing worker (no wake-up of another thread per result).
    private readonly Channel<ItemResult<TOut>> _channel = Channel.CreateBounded<ItemResult<TOut>>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait, AllowSynchronousContinuations = inlineReader });

    public ChannelReader<ItemResult<TOut>> Reader => _channel.Reader;

    public override Memory<TOut> RentValues(long startIndex, int count) => ArrayPool<TOut>.Shared.Rent(count).AsMemory(0, count);

    public override async ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken)
    {
        try
        {
            var f = 0;
            for (var i = 0; i < ran; i++)
            {
                var index = startIndex + i;
                ItemResult<TOut> result;
                if (failures is not null && f < failures.Count && failures[f].Index == index)
                {
                    result = ItemResult<TOut>.Failure(index, failures[f++].Exception);
                }
                else
                {
                    result = ItemResult<TOut>.Success(index, values.Span[i]);
                }

                if (!_channel.Writer.TryWrite(result))
                {
                    await _channel.Writer.WriteAsync(result, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray<TOut>(values, out var segment) && segment.Array is { } array)
            {
                ArrayPool<TOut>.Shared.Return(array, RuntimeHelpers.IsReferenceOrContainsReferences<TOut>());
            }
        }
    }

    // The reader ends normally either way; a run error surfaces from the run's task, which the stream awaits last.
    public override ValueTask CompleteAsync(Exception? error, CancellationToken abandoned)
    {
        _channel.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
