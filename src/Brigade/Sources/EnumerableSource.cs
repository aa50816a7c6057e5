using System.Runtime.ExceptionServices;

namespace Brigade.Sources;

/// <summary>Any <see cref="IEnumerable{T}"/>, read lazily, one batch at a time.</summary>
/// <remarks>
/// <para>A run whose caller cannot leave (no token that can be cancelled, not a stream) reads on the taker's thread under a
/// lock, as it always did: nothing could end that call early anyway.</para>
/// <para>A run whose caller can leave (<see cref="ItemSource{T}.LeaveOn"/>: a cancellable token, a stream's reader) reads on
/// a thread of the source's own, one take at a time, and the taker waits for it: an input whose <c>MoveNext</c> blocks
/// (a queue's blocking take, a socket, a lock) held a cancelled call for good, since the worker blocked in it was one the
/// engine waits for and <see cref="CloseAsync"/> waited on the lock the read held (lib48). Now, once the caller has left
/// and a read is still in <c>MoveNext</c> <see cref="Engines.ItemPolicy.AbandonGrace"/> later, the taker leaves it there:
/// the run ends (<see cref="RunCanceledException"/> says the input was left blocked), the reading thread stays in
/// <c>MoveNext</c> until it returns, and then disposes the enumerator and ends. Nothing else is read after that. The cost
/// is a hand-over between two threads per batch, not per item.</para>
/// </remarks>
internal sealed class EnumerableSource<T>(IEnumerable<T> source) : ItemSource<T>
{
    private const int InitialBuffer = 1024;

    // Guards _enumerator, _taken, _done, _closed, _reading and _leftBlocked: the enumerator is not thread-safe and indexes
    // must follow its order. Without a caller who can leave, it is held across the read; with one, never across MoveNext
    // (the reader thread reads outside it, one take at a time: _turn).
    private readonly Lock _gate = new();
    private IEnumerator<T>? _enumerator;
    private long _taken;
    private bool _done;

    private CancellationToken _leave;

    // With a caller who can leave: one take at a time holds the turn, from the taker's request until the reader has read
    // it (the reader releases it, so a take left blocked keeps it, and later takers leave on the token instead of reading
    // beside it). The reader thread waits on _wake for the next request.
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0);
    private Thread? _reader;
    private Request? _request;
    private bool _reading;
    private bool _closed;
    private bool _leftBlocked;

    public override long? Count => source.TryGetNonEnumeratedCount(out var count) ? count : null;

    public override long Taken => Volatile.Read(ref _taken);

    /// <inheritdoc/>
    internal override string? LeftBehind
    {
        get
        {
            lock (_gate)
            {
                return _leftBlocked
                    ? $"the input was left blocked in its enumerator's MoveNext (still running {Engines.ItemPolicy.AbandonGrace.TotalSeconds:0} s after the cancel): the thread reading it stays there until MoveNext returns, then disposes the enumerator"
                    : null;
            }
        }
    }

    /// <inheritdoc/>
    internal override string? LeftBehindBrief => LeftBehind is null ? null : "input left blocked in MoveNext";

    internal override void LeaveOn(CancellationToken leave) => _leave = leave;

    public override ItemBatch<T> Take(int maxCount, CancellationToken cancellationToken)
    {
        if (!_leave.CanBeCanceled)
        {
            lock (_gate)
            {
                ThrowDeferredFailure();
                if (_done)
                {
                    return default;
                }

                _enumerator ??= source.GetEnumerator();
                var (buffer, count) = Read(_enumerator, maxCount);
                return Commit(buffer, count, maxCount);
            }
        }

        return TakeLeavable(maxCount);
    }

    private ItemBatch<T> TakeLeavable(int maxCount)
    {
        _turn.Wait(_leave);
        Request request;
        lock (_gate)
        {
            try
            {
                ThrowDeferredFailure();
            }
            catch
            {
                _turn.Release();
                throw;
            }

            if (_done)
            {
                _turn.Release();
                return default;
            }

            request = new Request(maxCount);
            _request = request;
            if (_reader is null)
            {
                // Started from a taker, so it carries the run's execution context (as a worker would when it read).
                _reader = new Thread(ReaderLoop) { IsBackground = true, Name = "brigade-input" };
                _reader.Start();
            }
        }

        _wake.Release();
        if (!WaitOrLeave(request))
        {
            throw new OperationCanceledException(_leave);
        }

        request.Error?.Throw();
        return request.Batch;
    }

    // Waits for the reader to finish the request; once the caller has left, for the grace more at most. False: the request
    // was deserted, the reader still in MoveNext.
    private bool WaitOrLeave(Request request)
    {
        try
        {
            request.Done.Task.Wait(_leave);
            return true;
        }
        catch (OperationCanceledException)
        {
        }

        if (request.Done.Task.Wait(Engines.ItemPolicy.AbandonGrace))
        {
            return true;
        }

        lock (_gate)
        {
            if (request.Completed)
            {
                return true;
            }

            request.Deserted = true;
            _leftBlocked = true;
            return false;
        }
    }

    private void ReaderLoop()
    {
        while (true)
        {
            _wake.Wait();
            Request? request;
            IEnumerator<T>? enumerator;
            lock (_gate)
            {
                if (_closed)
                {
                    return;
                }

                request = _request;
                _request = null;
                if (request is null)
                {
                    continue;
                }

                _reading = true;
                enumerator = _enumerator;
            }

            // Outside the lock: MoveNext may block for good, and a taker leaving or the run closing must not wait for it.
            (T[] Buffer, int Count) read = ([], 0);
            ExceptionDispatchInfo? error = null;
            try
            {
                enumerator ??= source.GetEnumerator();
                read = Read(enumerator, request.MaxCount);
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }

            IEnumerator<T>? orphan = null;
            lock (_gate)
            {
                _reading = false;
                _enumerator = enumerator;
                request.Completed = true;
                if (!request.Deserted)
                {
                    request.Error = error;
                    if (error is null)
                    {
                        request.Batch = Commit(read.Buffer, read.Count, request.MaxCount);
                    }
                }

                if (_closed)
                {
                    // The run ended while this read was left blocked: nobody disposes the enumerator but this thread.
                    orphan = _enumerator;
                    _enumerator = null;
                }
            }

            request.Done.SetResult();
            _turn.Release();
            if (orphan is not null)
            {
                try
                {
                    orphan.Dispose();
                }
                catch (Exception)
                {
                    // The run has returned: there is nobody left to tell.
                }

                return;
            }
        }
    }

    // Reads up to maxCount items; the caller owns the enumerator for the duration (the lock, or the turn). Indexes are
    // given by Commit, under the lock: a read whose taker left is not counted (its items never ran, nor were handed out).
    private (T[] Buffer, int Count) Read(IEnumerator<T> enumerator, int maxCount)
    {
        // The buffer grows with the items read (review 34d): allocated at the batch size up front, BatchSize =
        // int.MaxValue failed every run with an OutOfMemoryException reported as the input's, and 100,000,000
        // allocated 400 MB per take over a ten-item input.
        var buffer = new T[Math.Min(maxCount, InitialBuffer)];
        var count = 0;
        try
        {
            while (count < maxCount && enumerator.MoveNext())
            {
                if (count == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(maxCount, 2L * buffer.Length));
                }

                buffer[count++] = enumerator.Current;
            }
        }
        catch (Exception e)
        {
            // The input is over either way. Items read before the failure are still handed out, so they run and
            // are counted in ItemsRead; the failure then surfaces through Failure and the next take.
            lock (_gate)
            {
                _done = true;
                if (count > 0)
                {
                    DeferFailure(e);
                }
            }

            if (count == 0)
            {
                throw;
            }
        }

        return (buffer, count);
    }

    // Call under _gate.
    private ItemBatch<T> Commit(T[] buffer, int count, int maxCount)
    {
        if (count < maxCount)
        {
            _done = true;
        }

        var start = _taken;
        Volatile.Write(ref _taken, start + count);
        return count == 0 ? default : new ItemBatch<T>(start, new ReadOnlyMemory<T>(buffer, 0, count));
    }

    protected override ValueTask CloseAsync()
    {
        IEnumerator<T>? enumerator;
        bool stopReader;
        lock (_gate)
        {
            _done = true;
            _closed = true;
            if (_reading)
            {
                // A take left blocked in MoveNext (only after the caller left): the reader disposes the enumerator when
                // MoveNext returns. Waiting for it here is what held a cancelled call for good.
                return ValueTask.CompletedTask;
            }

            enumerator = _enumerator;
            _enumerator = null;
            stopReader = _reader is not null;
        }

        if (stopReader)
        {
            _wake.Release();
        }

        enumerator?.Dispose();
        return ValueTask.CompletedTask;
    }

    // One take handed to the reader thread. Completed and Deserted are guarded by _gate; Batch and Error are written
    // before Done is set and read after it.
    private sealed class Request(int maxCount)
    {
        public readonly int MaxCount = maxCount;
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ItemBatch<T> Batch;
        public ExceptionDispatchInfo? Error;
        public bool Completed;
        public bool Deserted;
    }
}
