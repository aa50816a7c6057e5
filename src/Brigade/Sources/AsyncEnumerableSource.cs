namespace Brigade.Sources;

/// <summary>
/// An <see cref="IAsyncEnumerable{T}"/>, pulled only when a worker is free: the producer never runs more than one
/// batch per worker ahead of the work, so an endless source is consumed in bounded memory.
/// </summary>
internal sealed class AsyncEnumerableSource<T>(IAsyncEnumerable<T> source) : ItemSource<T>
{
    // Serializes MoveNextAsync calls: async enumerators allow one pending call at a time.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IAsyncEnumerator<T>? _enumerator;

    // A MoveNextAsync the run stopped waiting for (the producer does not watch the token, or cannot: a read of stdin): the
    // enumerator is busy until it ends, so it is disposed then, in the background, not by CloseAsync.
    private Task<bool>? _abandoned;
    private long _taken;
    private bool _done;

    public override long Taken => Volatile.Read(ref _taken);

    public override bool IsAsynchronous => true;

    public override ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken) => TakeAsync(maxCount, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<ItemBatch<T>> TakeAsync(int maxCount, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowDeferredFailure();
            if (_done)
            {
                return default;
            }

            // Every caller passes the run's token, so the producer sees cancellation even mid-MoveNextAsync.
            _enumerator ??= source.GetAsyncEnumerator(cancellationToken);
            var buffer = new T[maxCount];
            var count = 0;
            try
            {
                while (count < maxCount)
                {
                    var next = _enumerator.MoveNextAsync();

                    // Once the batch has an item, stop at the first step that would wait: an idle worker should
                    // start on what it has rather than hold items back while the producer is slow.
                    var waited = !next.IsCompleted;
                    bool more;
                    if (waited && cancellationToken.CanBeCanceled)
                    {
                        // Waits for the producer only while the run wants items: a producer that ignores the token
                        // would otherwise hold the run (and a stream's reader leaving it) until its next item.
                        var pending = next.AsTask();
                        try
                        {
                            more = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                        {
                            // The input ends here for this run (the handler below marks it done); an item the producer
                            // still hands over is dropped with it, as items never taken are.
                            _abandoned = pending;
                            throw;
                        }
                    }
                    else
                    {
                        more = await next.ConfigureAwait(false);
                    }

                    if (!more)
                    {
                        _done = true;
                        break;
                    }

                    buffer[count++] = _enumerator.Current;
                    if (waited)
                    {
                        break;
                    }
                }
            }
            catch (Exception e)
            {
                // As for synchronous inputs: hand out what was read before the failure, then report the failure.
                _done = true;
                if (count == 0)
                {
                    throw;
                }

                DeferFailure(e);
            }

            var start = _taken;
            Volatile.Write(ref _taken, start + count);
            return count == 0 ? default : new ItemBatch<T>(start, new ReadOnlyMemory<T>(buffer, 0, count));
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async ValueTask CloseAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _done = true;
            if (_enumerator is not null)
            {
                if (_abandoned is { IsCompleted: false } pending)
                {
                    _ = DisposeWhenDoneAsync(pending, _enumerator);
                }
                else
                {
                    await _enumerator.DisposeAsync().ConfigureAwait(false);
                }

                _enumerator = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "Nobody waits for an abandoned producer: its errors have nowhere to go.")]
    private static async Task DisposeWhenDoneAsync(Task<bool> pending, IAsyncEnumerator<T> enumerator)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception)
        {
        }

        try
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
    }
}
