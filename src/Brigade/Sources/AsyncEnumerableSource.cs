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

    // A MoveNextAsync that was started but whose item nobody has taken yet: either the producer had not finished it when a
    // batch already held items (the batch is handed out and the next take resumes here, so items read never wait for
    // the producer's next one), or the run stopped waiting for it (the producer does not watch the token, or cannot: a
    // read of stdin). The enumerator is busy until it ends, so at the close it is disposed then, in the background.
    private Task<bool>? _pending;
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
                    var next = _pending is { } pendingMove ? new ValueTask<bool>(pendingMove) : _enumerator.MoveNextAsync();
                    _pending = null;

                    // Once the batch has an item, stop at the first step that would wait: an idle worker should start on
                    // what it has rather than hold items back while the producer is slow (or waits for those very
                    // items' results: a crawler's feedback loop). The step is kept for the next take: an async
                    // enumerator allows one pending call at a time, and its item must not be lost.
                    if (!next.IsCompleted && count > 0)
                    {
                        _pending = next.AsTask();
                        break;
                    }

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
                            _pending = pending;
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

                    // An item the producer made the batch wait for is handed out alone, without asking for the next:
                    // the producer is not asked ahead of the workers, so an ordered stream's read-ahead stays bounded
                    // by one batch per worker, as before.
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
                if (_pending is { IsCompleted: false } pending)
                {
                    _ = DisposeWhenDoneAsync(pending, _enumerator);
                }
                else
                {
                    // A step that ended unseen (the run stopped first): its failure has nowhere to go.
                    _ = _pending?.Exception;
                    await _enumerator.DisposeAsync().ConfigureAwait(false);
                }

                _enumerator = null;
                _pending = null;
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
