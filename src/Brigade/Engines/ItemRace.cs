using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Brigade.Engines;

/// <summary>
/// Awaits an asynchronous item's pending task so that a run its caller left does not wait for it forever: once the
/// caller's token is cancelled (or a stream's reader leaves), an item still running <see cref="Grace"/> later is abandoned
/// (it fails with <see cref="ItemAbandonedException"/>, its task left to itself). Review 46 did this for
/// <see cref="RunOptions.ItemTimeout"/>; without a timeout, a task that never completes and ignores its token held
/// <c>MapAsync</c> after a cancel for good (review 47).
/// </summary>
/// <remarks>
/// <para>Only the caller leaving abandons (lib48): the token watched is the job's leave token
/// (<see cref="EngineJob{TIn, TOut}.LeaveToken"/>), not the run's stop token. The run's own stops (a failure under
/// <see cref="FailureMode.StopOnFirstFailure"/>, an engine's error) cancel the items' token but wait for the items that
/// are running, however long they take, so that they finish and keep their results as the conformance kit promises: review
/// 47 abandoned an honest item still running a second after such a stop and dropped its result.</para>
/// <para>
/// One per worker, reused for each of its pending items (a worker awaits one item at a time), so that an item that
/// completes costs no allocation: the item's awaiter gets a cached continuation, the run's token is registered with once,
/// and the caller awaits this object as a <see cref="ValueTask{TResult}"/>. Only a cancel allocates (the
/// grace timer). After an abandonment the race is not used again (<see cref="IsSpent"/>): the abandoned task may complete
/// later and must not complete a newer item's await.</para>
/// </remarks>
/// <typeparam name="TOut">The item's result type.</typeparam>
internal sealed class ItemRace<TOut> : IValueTaskSource<TOut>
{
    /// <summary>How long an item may go on after the run is cancelled before it is abandoned (the same second as past an
    /// <see cref="RunOptions.ItemTimeout"/>, <see cref="ItemPolicy.AbandonGrace"/>).</summary>
    internal static TimeSpan Grace => ItemPolicy.AbandonGrace;

    private static readonly Action<object?> OnCancel = static s => ((ItemRace<TOut>)s!).Cancelled();
    private static readonly TimerCallback OnGrace = static s => ((ItemRace<TOut>)s!).Abandon();

    private readonly Action _onItem;
    private readonly TimeProvider _time;
    private readonly CancellationToken _leave;
    private readonly CancellationToken _caller;
    private ManualResetValueTaskSourceCore<TOut> _core;
    private ConfiguredValueTaskAwaitable<TOut>.ConfiguredValueTaskAwaiter _awaiter;
    private CancellationTokenRegistration _registration;
    private bool _registered;
    private ITimer? _timer;

    // 0: the current item is pending; 1: it completed (or nothing is pending); 2: it was abandoned (spent).
    private int _state = 1;

    // Whether the grace running now started on a stream's reader leaving, not on the caller's token: what the abandoned
    // item's failure says (review 49).
    private bool _readerLeft;

    /// <summary>Initializes a worker's race.</summary>
    /// <param name="time">The run's clock, which times the grace.</param>
    /// <param name="leave">The token of the caller leaving (<see cref="EngineJob{TIn, TOut}.LeaveToken"/>): its cancel
    /// starts the grace; the run's own stops do not.</param>
    /// <param name="caller">The caller's own token (<see cref="EngineJob{TIn, TOut}.CallerToken"/>): not cancelled when
    /// <paramref name="leave"/> trips, a stream's reader left.</param>
    public ItemRace(TimeProvider time, CancellationToken leave, CancellationToken caller)
    {
        _time = time;
        _leave = leave;
        _caller = caller;
        _onItem = OnItem;
    }

    /// <summary>Gets whether an item awaited through this race can be abandoned at all (the caller can leave).</summary>
    public bool CanAbandon => _leave.CanBeCanceled;

    /// <summary>Blocks the calling thread (one the engine owns) until <paramref name="pending"/> completes, or until
    /// <paramref name="token"/> has been cancelled for <see cref="Grace"/>: then the item is abandoned
    /// (<see cref="ItemAbandonedException"/>). Returns the item's result or throws its exception.</summary>
    /// <param name="pending">The item's task.</param>
    /// <param name="token">The caller-leaving token (<see cref="EngineJob{TIn, TOut}.LeaveToken"/>), not the run's stop
    /// token: a stop waits for the item. <see cref="CancellationToken.None"/> never abandons (the remote side).</param>
    /// <param name="caller">The caller's own token (<see cref="EngineJob{TIn, TOut}.CallerToken"/>): not cancelled when
    /// <paramref name="token"/> trips, a stream's reader left.</param>
    internal static TOut Block(ValueTask<TOut> pending, CancellationToken token, CancellationToken caller)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return pending.Result;
        }

        var task = pending.AsTask();
        if (!task.IsCompleted && token.CanBeCanceled)
        {
            try
            {
                task.Wait(Timeout.Infinite, token);
            }
            catch (AggregateException)
            {
                // Faulted or cancelled: GetResult below throws the item's own exception.
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // An item that finished as the run stopped (the wait's cancellation and the item's end at once) keeps its
                // result: the filter once also asked !task.IsCompleted, and the wait's exception then escaped as the item's
                // cancellation, so a finished item counted as not run (the conformance case StopOnFirstFailure_AsyncWork,
                // 1 run in 8 on the threads engine).
                if (task.IsCompleted)
                {
                    return task.GetAwaiter().GetResult();
                }

                // Why the caller left, read as the grace starts: a reader that leaves after a cancel left nothing more.
                var readerLeft = !caller.IsCancellationRequested;
                bool done;
                try
                {
                    done = task.Wait((int)Grace.TotalMilliseconds, CancellationToken.None);
                }
                catch (AggregateException)
                {
                    done = true;
                }

                if (!done)
                {
                    _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    throw new ItemAbandonedException(Grace, readerLeft);
                }
            }
        }

        return task.GetAwaiter().GetResult();
    }

    /// <summary>Gets whether an item was abandoned: the race is not used again.</summary>
    public bool IsSpent => Volatile.Read(ref _state) == 2;

    /// <summary>Returns a task that completes with <paramref name="pending"/>'s outcome, or fails with
    /// <see cref="ItemAbandonedException"/> once the caller has left (the leave token given at construction) for
    /// <see cref="Grace"/>.</summary>
    public ValueTask<TOut> Await(ValueTask<TOut> pending)
    {
        _core.Reset();
        Volatile.Write(ref _state, 0);
        _awaiter = pending.ConfigureAwait(false).GetAwaiter();
        var version = _core.Version;
        if (!_registered)
        {
            // Once per worker and run, not per item: registering on the token for each pending item would take the
            // token source's lock each time, from every worker. The registration runs Cancelled at once if the token is
            // cancelled already.
            _registered = true;
            _registration = _leave.UnsafeRegister(OnCancel, this);
        }
        else if (_leave.IsCancellationRequested)
        {
            // Cancelled while no item was pending (Cancelled found nothing to time), and this one started before it.
            Cancelled();
        }

        _awaiter.UnsafeOnCompleted(_onItem);
        return new ValueTask<TOut>(this, version);
    }

    private void OnItem()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            // Abandoned already: observe the late outcome, so a fault does not surface as an unobserved task exception.
            try
            {
                _awaiter.GetResult();
            }
            catch (Exception)
            {
            }

            return;
        }

        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            _core.SetResult(_awaiter.GetResult());
        }
        catch (Exception e)
        {
            _core.SetException(e);
        }
    }

    // The caller left while an item was pending: it has Grace to end.
    private void Cancelled()
    {
        if (Volatile.Read(ref _state) == 0)
        {
            // The leave token trips on the caller's (linked) or on a stream's reader leaving (EngineJob.Abort); the
            // caller's is cancelled before its callbacks run, so this sees it when it was the cause.
            Volatile.Write(ref _readerLeft, !_caller.IsCancellationRequested);
            _timer ??= _time.CreateTimer(OnGrace, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(Grace, Timeout.InfiniteTimeSpan);
        }
    }

    private void Abandon()
    {
        if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
        {
            _core.SetException(new ItemAbandonedException(Grace, Volatile.Read(ref _readerLeft)));
        }
    }

    public TOut GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
