using System.Diagnostics;

namespace Brigade.Internal;

/// <summary>
/// A run's progress callback, kept off the run's own threads: the timer only stores the latest snapshot, and the calls
/// are made one at a time elsewhere, the latest snapshot winning while a call runs; the run's end hands over the final
/// snapshot and waits for its call (bounded).
/// </summary>
/// <remarks>
/// <para>Where the calls run (lib61: a slow callback ran on the thread pool the engine's items run on, and a 200 ms one
/// made a 0.5 s run take 2.75 s): a plain <see cref="IProgress{T}"/> is called on a background thread of the run's own,
/// started at the first call and ended after the final one. A <see cref="Progress{T}"/> posts its handler to the context it
/// captured (the thread pool when none): each tick posted another, and slow handlers piled up on the pool. It is posted to
/// again only once its handler has run, which the run hears through its <see cref="Progress{T}.ProgressChanged"/> event
/// (raised after the handler, on the same posted call); its handler still runs where the user chose, one at a time.</para>
/// <para>Review 40: a callback is never called beside itself. lib48: a callback that blocks holds the run's end for
/// <see cref="RunPipeline.ProgressEndBound"/> at most, and the report says so (<see cref="Error"/>).</para>
/// </remarks>
// CA1001: a SemaphoreSlim whose wait handle is never asked for holds nothing to release, and disposing it at the run's
// end would fail the wake of a call thread the run left behind (a callback still running past the bound).
#pragma warning disable CA1001
internal sealed class ProgressCalls
#pragma warning restore CA1001
{
    private readonly IProgress<RunProgress> _progress;
    private readonly Progress<RunProgress>? _posted;
    private readonly TaskCompletionSource _finalDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guards the fields below it. No user code runs under it.
    private readonly Lock _gate = new();
    private RunProgress? _latest;
    private RunProgress? _final;
    private bool _ended;
    private bool _busy;
    private RunProgress _inFlight;
    private long _sequence;
    private bool _inFlightIsFinal;
    private bool _awaitingHandler;
    private bool _calling;
    private SemaphoreSlim? _wake;

    private Exception? _first;
    private int _failures;
    private volatile bool _late;

    public ProgressCalls(IProgress<RunProgress> progress)
    {
        _progress = progress;

        // Only Progress<T> itself: a subclass may override OnReport and never raise the event, and would then be called once.
        if (progress.GetType() == typeof(Progress<RunProgress>))
        {
            _posted = (Progress<RunProgress>)progress;
            _posted.ProgressChanged += OnHandlerRan;
        }
    }

    /// <summary>Gets what went wrong: the callback's first exception, else a call still running past the bound at
    /// the run's end; null when every call returned.</summary>
    public Exception? Error => _first ?? (_late ? new TimeoutException(
        $"The progress callback was still running {RunPipeline.ProgressEndBound.TotalSeconds:0} s after the run's end: the run returned without waiting for it (the final progress call was not made or not finished). A progress callback should return quickly; System.Progress<T> posts and returns at once.") : null);

    /// <summary>Gets how many calls threw.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>A timer tick: the snapshot replaces any not yet handed to the callback.</summary>
    public void Tick(Func<RunProgress> snapshot)
    {
        if (Volatile.Read(ref _ended))
        {
            return;
        }

        Offer(snapshot(), final: false);
    }

    /// <summary>The run's end: hands over the final snapshot (after any still waiting) and waits for its call, <paramref name="bound"/> at most.</summary>
    public async Task EndAsync(RunProgress last, TimeSpan bound)
    {
        Offer(last, final: true);
        try
        {
            await _finalDone.Task.WaitAsync(bound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _late = true;
        }
        finally
        {
            if (_posted is not null)
            {
                _posted.ProgressChanged -= OnHandlerRan;
            }
        }
    }

    private void Offer(RunProgress value, bool final)
    {
        lock (_gate)
        {
            // Stamped as this run's: OnHandlerRan tells its own calls from another run's by it, not by the figures, which
            // two runs can share (lib63: the same counts at the same elapsed time, as under one fake TimeProvider).
            value = value with { Caller = this, Sequence = ++_sequence };
            if (final)
            {
                _ended = true;
                _final = value;

                // A snapshot that came while a call runs is superseded by the final one (the latest wins): the run's end
                // waits for the call running and the final call, not for one more between them. One offered before the call
                // thread took it is still delivered.
                if (_calling || _awaitingHandler)
                {
                    _latest = null;
                }
            }
            else if (_ended)
            {
                return;
            }
            else
            {
                _latest = value;
            }

            if (_busy)
            {
                // The call running takes it when it returns: the latest wins.
                return;
            }

            _busy = true;
        }

        // Outside the lock: posting runs the context's code, and starting the thread takes time.
        if (_posted is not null)
        {
            PostNext();
        }
        else
        {
            Wake();
        }
    }

    // Takes the next snapshot to deliver, or ends the busy spell when there is none.
    private bool TryTake(out RunProgress value, out bool final)
    {
        lock (_gate)
        {
            // Taking again means the call before (on the call thread) has returned.
            _calling = false;
            if (_latest is { } latest)
            {
                (_latest, value, final) = (null, latest, false);
            }
            else if (_final is { } last)
            {
                (_final, value, final) = (null, last, true);
            }
            else
            {
                _busy = false;
                (value, final) = (default, false);
                return false;
            }

            if (_posted is not null)
            {
                (_inFlight, _inFlightIsFinal, _awaitingHandler) = (value, final, true);
            }
            else
            {
                _calling = true;
            }

            return true;
        }
    }

    private void Wake()
    {
        SemaphoreSlim wake;
        lock (_gate)
        {
            if (_wake is null)
            {
                _wake = new SemaphoreSlim(0);

                // A thread of its own, not the pool's: a callback that blocks holds only it. Started with the run's execution
                // context (this is the timer's or the run's flow).
                new Thread(CallLoop) { IsBackground = true, Name = "Brigade progress" }.Start();
            }

            wake = _wake;
        }

        wake.Release();
    }

    private void CallLoop()
    {
        var wake = _wake!;
        while (true)
        {
            wake.Wait();
            while (TryTake(out var value, out var final))
            {
                Call(value);
                if (final)
                {
                    _finalDone.TrySetResult();
                    return;
                }
            }
        }
    }

    private void PostNext()
    {
        while (TryTake(out var value, out var final))
        {
            if (Call(value))
            {
                // Posted: the handler's run (OnHandlerRan) posts the next.
                return;
            }

            // Report threw, so no handler will run for it.
            lock (_gate)
            {
                _awaitingHandler = false;
            }

            if (final)
            {
                _finalDone.TrySetResult();
                return;
            }
        }
    }

    // Raised by Progress<T> after its handler, on the call it posted. Another run sharing the instance raises it too: only
    // the snapshot this run posted counts, known by its stamp (Offer).
    private void OnHandlerRan(object? sender, RunProgress value)
    {
        bool final;
        lock (_gate)
        {
            if (!_awaitingHandler || !ReferenceEquals(value.Caller, this) || value.Sequence != _inFlight.Sequence)
            {
                return;
            }

            _awaitingHandler = false;
            final = _inFlightIsFinal;
        }

        if (final)
        {
            _finalDone.TrySetResult();
            return;
        }

        PostNext();
    }

    // A progress callback is a display, not part of the work: if it throws, the run goes on (a timer callback that
    // threw would otherwise take the whole process down, and a throw at the end would lose the results). The first
    // exception is kept for the report (RunReport.ProgressError): review 47 left only an Activity event, which a
    // caller without a listener never saw.
    private bool Call(RunProgress snapshot)
    {
        try
        {
            _progress.Report(snapshot);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (Interlocked.Increment(ref _failures) == 1)
            {
                Volatile.Write(ref _first, e);
            }

            Activity.Current?.AddEvent(new ActivityEvent("brigade.progress.failed", tags: new ActivityTagsCollection { ["exception.message"] = e.Message }));
            return false;
        }
    }
}
