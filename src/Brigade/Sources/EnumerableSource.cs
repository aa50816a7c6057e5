namespace Brigade.Sources;

/// <summary>Any <see cref="IEnumerable{T}"/>, read lazily under a lock, one batch at a time.</summary>
internal sealed class EnumerableSource<T>(IEnumerable<T> source) : ItemSource<T>
{
    // Guards _enumerator, _taken and _done: the enumerator is not thread-safe and indexes must follow its order.
    private const int InitialBuffer = 1024;

    private readonly Lock _gate = new();
    private IEnumerator<T>? _enumerator;
    private long _taken;
    private bool _done;

    public override long? Count => source.TryGetNonEnumeratedCount(out var count) ? count : null;

    public override long Taken => Volatile.Read(ref _taken);

    public override ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowDeferredFailure();
            if (_done)
            {
                return default;
            }

            _enumerator ??= source.GetEnumerator();
            // The buffer grows with the items read (review 34d): allocated at the batch size up front, BatchSize =
            // int.MaxValue failed every run with an OutOfMemoryException reported as the input's, and 100,000,000
            // allocated 400 MB per take over a ten-item input.
            var buffer = new T[Math.Min(maxCount, InitialBuffer)];
            var count = 0;
            try
            {
                while (count < maxCount && _enumerator.MoveNext())
                {
                    if (count == buffer.Length)
                    {
                        Array.Resize(ref buffer, (int)Math.Min(maxCount, 2L * buffer.Length));
                    }

                    buffer[count++] = _enumerator.Current;
                }
            }
            catch (Exception e)
            {
                // The input is over either way. Items read before the failure are still handed out, so they run and
                // are counted in ItemsRead; the failure then surfaces through Failure and the next take.
                _done = true;
                if (count == 0)
                {
                    throw;
                }

                DeferFailure(e);
            }

            if (count < maxCount)
            {
                _done = true;
            }

            var start = _taken;
            _taken += count;
            return count == 0 ? default : new ItemBatch<T>(start, new ReadOnlyMemory<T>(buffer, 0, count));
        }
    }

    protected override ValueTask CloseAsync()
    {
        lock (_gate)
        {
            _done = true;
            _enumerator?.Dispose();
            _enumerator = null;
        }

        return ValueTask.CompletedTask;
    }
}
