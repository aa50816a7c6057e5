using System.Buffers;
using System.Runtime.InteropServices;

namespace Brigade.Sinks;

/// <summary>For for-each runs: results are discarded, failures are kept by the job.</summary>
internal sealed class DiscardSink<TOut> : ResultSink<TOut>
{
    public override Memory<TOut> RentValues(long startIndex, int count) => ArrayPool<TOut>.Shared.Rent(count).AsMemory(0, count);

    public override ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken)
    {
        if (MemoryMarshal.TryGetArray<TOut>(values, out var segment) && segment.Array is { } array)
        {
            ArrayPool<TOut>.Shared.Return(array);
        }

        return ValueTask.CompletedTask;
    }
}
