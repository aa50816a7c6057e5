using System.Globalization;
using System.Runtime.CompilerServices;
using Brigade.Internal;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Brigade.Engines;

/// <summary>
/// A run's item timeout and retry (<see cref="RunOptions.ItemTimeout"/>, <see cref="RunOptions.ItemRetry"/>), built
/// once per run over Polly: the retry outside (with backoff and jitter), the timeout inside, so it counts per attempt.
/// Null when neither is set, and the item loop then runs the plain work.
/// </summary>
/// <remarks>
/// Polly's timeouts are cooperative: asynchronous work is cancelled through its token; synchronous work has none, so
/// an attempt that ends past the timeout has its result discarded and fails with <see cref="TimeoutRejectedException"/>
/// (the same rule for asynchronous work that ignores its token and then ends; one that is still running a second past
/// its timeout is abandoned). A failure raised because the run is stopping is never retried.
/// </remarks>
internal sealed class ItemPolicy
{
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _timeout;

    /// <summary>How long an asynchronous attempt may go on past its timeout, its token cancelled, before it is abandoned.</summary>
    internal static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(1);

    // The caller's own token: a retry does not start once it reads as cancelled, before the run's linked stop token hears of
    // it (review 59; default on the remote side).
    private readonly CancellationToken _caller;

    private ItemPolicy(ResiliencePipeline pipeline, TimeProvider time, TimeSpan? timeout, bool waits, CancellationToken caller)
    {
        _pipeline = pipeline;
        _caller = caller;
        _time = time;
        _timeout = timeout;
        Waits = waits;
    }

    /// <summary>Gets whether an item may wait between attempts: then Task workers await it rather than block a pool thread.</summary>
    public bool Waits { get; }

    /// <summary>The run's policy; null when the options ask for neither timeout nor retry.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="stop">The run's stop token: a failure while it (or the token an item runs with) is cancelled is not
    /// retried. The remote side passes <see cref="CancellationToken.None"/>: each batch's token is the one items run with.</param>
    /// <param name="caller">The caller's own token, in process: once it reads as cancelled no retry starts, though the run's
    /// <paramref name="stop"/> token, linked to it, has not heard of it yet (review 59).</param>
    public static ItemPolicy? For(RunOptions options, CancellationToken stop, CancellationToken caller = default) =>
        options.ItemTimeout is null && options.ItemRetry is null ? null : Build(options, stop, caller);

    // Apart, so that a run without timeout or retry never compiles code that names Polly's types (nor loads Polly).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ItemPolicy Build(RunOptions options, CancellationToken stop, CancellationToken caller)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.ItemRetry is { } retry)
        {
            var shouldRetry = retry.ShouldRetry;
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.MaxRetries,
                Delay = retry.Delay,
                MaxDelay = retry.MaxDelay,
                BackoffType = retry.Backoff switch
                {
                    RetryBackoff.Constant => DelayBackoffType.Constant,
                    RetryBackoff.Linear => DelayBackoffType.Linear,
                    _ => DelayBackoffType.Exponential,
                },
                UseJitter = retry.UseJitter,
                ShouldHandle = args => new ValueTask<bool>(
                    args.Outcome.Exception is { } e
                    && !(ItemLoop.IsCancellation(e) && (stop.IsCancellationRequested || caller.IsCancellationRequested || args.Context.CancellationToken.IsCancellationRequested))
                    && (e is TimeoutRejectedException || shouldRetry is null || AskShouldRetry(shouldRetry, e))),
            });
        }

        if (options.ItemTimeout is { } timeout)
        {
            builder.AddTimeout(timeout);
        }

        return new ItemPolicy(builder.Build(), options.TimeProvider, options.ItemTimeout, options.ItemRetry is { Delay.Ticks: > 0 }, caller);
    }

    /// <summary>Runs synchronous work on <paramref name="item"/> under the policy, blocking through any wait.</summary>
    public TOut Execute<TIn, TOut>(Func<TIn, TOut> work, TIn item, ItemAttempts attempts, CancellationToken token)
    {
        attempts.Count = 0;
        return _pipeline.Execute(
            static (s, _) =>
            {
                s.Policy.ThrowIfCallerLeft(s.Attempts.Count);
                s.Attempts.Count++;
                var start = s.Policy._time.GetTimestamp();
                var value = s.Work(s.Item);
                s.Policy.ThrowIfLate(start);
                return value;
            },
            (Policy: this, Work: work, Item: item, Attempts: attempts),
            token);
    }

    /// <summary>Runs asynchronous work on <paramref name="item"/> under the policy.</summary>
    public ValueTask<TOut> ExecuteAsync<TIn, TOut>(Func<TIn, CancellationToken, ValueTask<TOut>> work, TIn item, ItemAttempts attempts, CancellationToken token)
    {
        attempts.Count = 0;
        return _pipeline.ExecuteAsync(
            static async (s, cancellationToken) =>
            {
                s.Policy.ThrowIfCallerLeft(s.Attempts.Count);
                s.Attempts.Count++;
                var start = s.Policy._time.GetTimestamp();
                var pending = s.Work(s.Item, cancellationToken);
                var value = pending.IsCompleted || s.Policy._timeout is null
                    ? await pending.ConfigureAwait(false)
                    : await s.Policy.AbandonIfIgnoredAsync(pending).ConfigureAwait(false);
                s.Policy.ThrowIfLate(start);
                return value;
            },
            (Policy: this, Work: work, Item: item, Attempts: attempts),
            token);
    }

    // A predicate that throws must not replace the item's own exception (review 34d: the failure was reported with the
    // predicate's exception alone). The item is not retried, and is reported with both, its own first.
    private static bool AskShouldRetry(Func<Exception, bool> shouldRetry, Exception failure)
    {
        try
        {
            return shouldRetry(failure);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new AggregateException(
                $"ItemRetryOptions.ShouldRetry threw {e.GetType().Name} ({ExceptionText.Brief(e)}) deciding whether to retry the item's {failure.GetType().Name} ({ExceptionText.Brief(failure)}); the item was not retried. Inside: the item's exception, then the predicate's.",
                failure,
                e);
        }
    }

    // Polly's timeout only cancels the attempt's token: a task that ignores it and never completes held the run for good,
    // and the caller's await with it, whatever the timeout and a cancel (review 46). Past the timeout and a grace the
    // attempt is abandoned: its item fails, and its task, which holds no thread of the run's, is left to itself (a fault
    // it ends with later is observed, so it does not surface as an unobserved task exception).
    private async ValueTask<TOut> AbandonIfIgnoredAsync<TOut>(ValueTask<TOut> pending)
    {
        var task = pending.AsTask();
        var timeout = _timeout!.Value;
        try
        {
            return await task.WaitAsync(timeout + AbandonGrace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw ItemAbandonedException.Mark(new TimeoutRejectedException(
                $"The item's attempt ignored its cancellation: it was still running {AbandonGrace.TotalSeconds:0} s past its timeout of {Seconds(timeout)}, and was abandoned (its task may still be running).",
                timeout));
        }
    }

    // A retry (not the first attempt: the item loop checked the caller's token before it) does not start once the caller's
    // token is cancelled: the item counts as not run, as when the run's stop token is.
    private void ThrowIfCallerLeft(int attemptsSoFar)
    {
        if (attemptsSoFar > 0 && _caller.IsCancellationRequested)
        {
            throw new OperationCanceledException(_caller);
        }
    }

    // "2 s", "0.25 s", as brigade run's "timed out after 2 s"; a TimeSpan's own format read "00:00:02" (review 66b).
    // Under a millisecond (the library takes any TimeSpan) in ms, not "0 s".
    private static string Seconds(TimeSpan timeout) => timeout >= TimeSpan.FromMilliseconds(1)
        ? timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
        : timeout.TotalMilliseconds.ToString("0.####", CultureInfo.InvariantCulture) + " ms";

    private void ThrowIfLate(long start)
    {
        if (_timeout is { } timeout && _time.GetElapsedTime(start) > timeout)
        {
            throw new TimeoutRejectedException($"The item's attempt took longer than its timeout of {Seconds(timeout)}; its late result was discarded.", timeout);
        }
    }
}

/// <summary>How many attempts the item running now has taken: shared by a batch's resilient work and its sink.</summary>
internal sealed class ItemAttempts
{
    public int Count;

    /// <summary>Gets the attempts to report for a failed item: at least 1.</summary>
    public int ForFailure => Math.Max(1, Count);
}

/// <summary>Synchronous (or blocking asynchronous) work under the run's <see cref="ItemPolicy"/>; an asynchronous item still
/// pending a second after <paramref name="abandonOn"/> is cancelled (the caller leaving, not the run's stop) is abandoned,
/// never with the default (the remote side).</summary>
internal readonly struct ResilientWork<TIn, TOut>(ItemPolicy policy, Func<TIn, TOut>? sync, Func<TIn, CancellationToken, ValueTask<TOut>>? async, ItemAttempts attempts, CancellationToken token, CancellationToken abandonOn = default, CancellationToken caller = default)
    : IItemWork<TIn, TOut>
{
    public TOut Invoke(TIn item)
    {
        if (sync is not null)
        {
            return policy.Execute(sync, item, attempts, token);
        }

        ValueTask<TOut> pending;
        var was = ItemInvocation.Enter();
        try
        {
            pending = policy.ExecuteAsync(async!, item, attempts, token);
        }
        finally
        {
            ItemInvocation.Exit(was);
        }

        return ItemRace<TOut>.Block(pending, abandonOn, caller);
    }
}

/// <summary>Work under the run's <see cref="ItemPolicy"/>, awaited: asynchronous work, or synchronous work whose retries wait.</summary>
internal readonly struct ResilientAsyncWork<TIn, TOut>(ItemPolicy policy, Func<TIn, TOut>? sync, Func<TIn, CancellationToken, ValueTask<TOut>>? async, ItemAttempts attempts)
    : IAsyncItemWork<TIn, TOut>
{
    public ValueTask<TOut> InvokeAsync(TIn item, CancellationToken cancellationToken) => async is not null
        ? policy.ExecuteAsync(async, item, attempts, cancellationToken)
        : policy.ExecuteAsync(static (s, _) => new ValueTask<TOut>(s.Sync(s.Item)), (Sync: sync!, Item: item), attempts, cancellationToken);
}
