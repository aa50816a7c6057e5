namespace Brigade.Internal;

/// <summary>
/// Stops a stream's run when the reader's enumerator is collected while the run is unfinished: the reader dropped it
/// without reading to the end or disposing it (<c>await foreach</c> always disposes; a hand-held enumerator may not).
/// </summary>
/// <remarks>
/// Held only by the enumerator (the async iterator's state), never by the run: the run's workers wait on the stream's
/// channel, which they reach without the enumerator, so the enumerator becomes unreachable while they wait and this
/// object's finalizer stops them. Without it such a run waited forever: its worker threads stayed blocked and a shared
/// process engine's worker processes stayed busy, so every later run started new ones.
/// </remarks>
internal sealed class AbandonedReaderGuard(Action abort, Task run)
{
    private int _done;

    ~AbandonedReaderGuard()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return;
        }

        // Off the finalizer thread: cancelling runs the run's cancellation callbacks, which must not hold up finalization.
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Stop(), this, preferLocal: false);
    }

    private void Stop()
    {
        abort();

        // Nobody awaits the run any more: its cancellation or failure is observed here, not reported as unobserved.
        _ = run.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The reader finished or left the loop: the enumeration's own <c>finally</c> stops and awaits the run.</summary>
    public void Disarm()
    {
        Volatile.Write(ref _done, 1);

        // Not a disposable: the enumeration owns the run's end; this only drops the finalizer's fallback.
#pragma warning disable CA1816
        GC.SuppressFinalize(this);
#pragma warning restore CA1816
    }
}
