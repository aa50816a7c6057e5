using System.Threading.Channels;
using Brigade.Internal;
using Brigade.Sinks;
using Brigade.Sources;

namespace Brigade;

/// <summary>
/// Runs work over a sequence of items in parallel: map (results in input order), stream (results as they finish),
/// for-each, and map-reduce. The engine, width and batch size come from <see cref="RunOptions"/>.
/// </summary>
/// <remarks>
/// <para>Work is either synchronous (<c>item =&gt; result</c>) or asynchronous
/// (<c>async (item, cancellationToken) =&gt; result</c>). The input is any <see cref="IEnumerable{T}"/> (arrays and
/// lists are split without copying or locking) or an <see cref="IAsyncEnumerable{T}"/>, which is read only as
/// fast as workers take items, so endless inputs run in bounded memory.</para>
/// <para>A failing item never loses the others: every result and every failure (with the item's index) is in the
/// result and its <see cref="RunReport"/>. Cancelling the token stops new items from starting, waits for those
/// running, and then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/> that carries the run's report).</para>
/// </remarks>
/// <example>
/// <code>
/// var result = await Runner.MapAsync(files, path =&gt; Hash(path), new RunOptions { Engine = Engine.ThreadPool });
/// Console.WriteLine(result.Report);            // threadpool ×8: 1,000 items in 0.41 s, ..., speedup 7.6 over one worker on an idle machine, ...
/// foreach (var hash in result.Values) { ... }  // throws RunFailedException listing failed indexes, if any
/// </code>
/// </example>
public static partial class Runner
{
    /// <summary>Runs synchronous work over every item and returns the results in input order.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The work for one item.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>Every item's outcome in input order, and the run's report; its <see cref="RunResult{T}.Values"/> throws <see cref="RunFailedException"/> when an item failed or was not run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunResult<TOut>> MapAsync<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> work, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromSync(work, nameof(work)), options, cancellationToken);

    /// <summary>Runs asynchronous work over every item and returns the results in input order.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The work for one item; it receives the run's cancellation token.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>Every item's outcome in input order, and the run's report; its <see cref="RunResult{T}.Values"/> throws <see cref="RunFailedException"/> when an item failed or was not run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunResult<TOut>> MapAsync<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, CancellationToken, ValueTask<TOut>> work, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromAsync(work, nameof(work)), options, cancellationToken);

    /// <summary>Runs synchronous work over an asynchronous sequence and returns the results in input order.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The work for one item.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>Every item's outcome in input order, and the run's report; its <see cref="RunResult{T}.Values"/> throws <see cref="RunFailedException"/> when an item failed or was not run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunResult<TOut>> MapAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, TOut> work, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromSync(work, nameof(work)), options, cancellationToken);

    /// <summary>Runs asynchronous work over an asynchronous sequence and returns the results in input order.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The work for one item; it receives the run's cancellation token.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>Every item's outcome in input order, and the run's report; its <see cref="RunResult{T}.Values"/> throws <see cref="RunFailedException"/> when an item failed or was not run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunResult<TOut>> MapAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, CancellationToken, ValueTask<TOut>> work, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromAsync(work, nameof(work)), options, cancellationToken);

    /// <summary>Runs synchronous work over every item and yields each outcome as soon as it is ready (completion order, or input order with <see cref="RunOptions.PreserveOrder"/>).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The work for one item.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <returns>The outcomes as they finish; the report is on <see cref="RunStream{T}.Report"/> afterwards.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <remarks>Errors that stop the run (<see cref="RunCanceledException"/>, <see cref="SourceFailedException"/>, <see cref="NotSupportedException"/>, the engine's) are thrown while the stream is enumerated, not by this call.</remarks>
    public static RunStream<TOut> StreamAsync<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> work, RunOptions? options = null) =>
        StreamCore(Deferred(source), WorkFunction<TIn, TOut>.FromSync(work, nameof(work)), options);

    /// <summary>Runs asynchronous work over every item and yields each outcome as soon as it is ready (completion order).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The work for one item; it receives the run's cancellation token.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <returns>The outcomes as they finish; the report is on <see cref="RunStream{T}.Report"/> afterwards.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <remarks>Errors that stop the run (<see cref="RunCanceledException"/>, <see cref="SourceFailedException"/>, <see cref="NotSupportedException"/>, the engine's) are thrown while the stream is enumerated, not by this call.</remarks>
    public static RunStream<TOut> StreamAsync<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, CancellationToken, ValueTask<TOut>> work, RunOptions? options = null) =>
        StreamCore(Deferred(source), WorkFunction<TIn, TOut>.FromAsync(work, nameof(work)), options);

    /// <summary>Runs synchronous work over an asynchronous sequence and yields each outcome as soon as it is ready.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The work for one item.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <returns>The outcomes as they finish; the report is on <see cref="RunStream{T}.Report"/> afterwards.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <remarks>Errors that stop the run (<see cref="RunCanceledException"/>, <see cref="SourceFailedException"/>, <see cref="NotSupportedException"/>, the engine's) are thrown while the stream is enumerated, not by this call.</remarks>
    public static RunStream<TOut> StreamAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, TOut> work, RunOptions? options = null) =>
        StreamCore(Deferred(source), WorkFunction<TIn, TOut>.FromSync(work, nameof(work)), options);

    /// <summary>Runs asynchronous work over an asynchronous sequence and yields each outcome as soon as it is ready.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The work for one item; it receives the run's cancellation token.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <returns>The outcomes as they finish; the report is on <see cref="RunStream{T}.Report"/> afterwards.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <remarks>Errors that stop the run (<see cref="RunCanceledException"/>, <see cref="SourceFailedException"/>, <see cref="NotSupportedException"/>, the engine's) are thrown while the stream is enumerated, not by this call.</remarks>
    public static RunStream<TOut> StreamAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, CancellationToken, ValueTask<TOut>> work, RunOptions? options = null) =>
        StreamCore(Deferred(source), WorkFunction<TIn, TOut>.FromAsync(work, nameof(work)), options);

    /// <summary>Runs a synchronous action on every item.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The action for one item. An <c>async</c> lambda is rejected: use the asynchronous overload.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The run's report, with every failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> is an <c>async</c> lambda bound to <see cref="Action{T}"/> (async void): use the asynchronous overload.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunReport> ForEachAsync<TIn>(IEnumerable<TIn> source, Action<TIn> work, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        WorkFunction<TIn, Unit>.RejectAsyncVoid(work, nameof(work));
        return ForEachCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, Unit>.FromAction(work, nameof(work)), options, cancellationToken);
    }

    /// <summary>Runs an asynchronous action on every item.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The action for one item; it receives the run's cancellation token.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The run's report, with every failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunReport> ForEachAsync<TIn>(IEnumerable<TIn> source, Func<TIn, CancellationToken, ValueTask> work, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return ForEachCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, Unit>.FromAsync(Adapt(work), nameof(work), work), options, cancellationToken);
    }

    /// <summary>Runs a synchronous action on every item of an asynchronous sequence.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The action for one item. An <c>async</c> lambda is rejected: use the asynchronous overload.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The run's report, with every failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> is an <c>async</c> lambda bound to <see cref="Action{T}"/> (async void): use the asynchronous overload.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunReport> ForEachAsync<TIn>(IAsyncEnumerable<TIn> source, Action<TIn> work, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        WorkFunction<TIn, Unit>.RejectAsyncVoid(work, nameof(work));
        return ForEachCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, Unit>.FromAction(work, nameof(work)), options, cancellationToken);
    }

    /// <summary>Runs an asynchronous action on every item of an asynchronous sequence.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The action for one item; it receives the run's cancellation token.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The run's report, with every failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunReport> ForEachAsync<TIn>(IAsyncEnumerable<TIn> source, Func<TIn, CancellationToken, ValueTask> work, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return ForEachCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, Unit>.FromAsync(Adapt(work), nameof(work), work), options, cancellationToken);
    }

    /// <summary>
    /// Splits the items into pieces, maps and combines each piece in parallel, then combines the pieces' partial
    /// results in input order.
    /// </summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The mapped and combined type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="map">The work for one item.</param>
    /// <param name="combine">Combines two results; must be associative (it need not be commutative: order is kept).</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults. The piece size is the batch size.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The combined value and the run's report; items that failed are left out and reported.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="map"/> or <paramref name="combine"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="map"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<ReduceResult<TOut>> MapReduceAsync<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, TOut> map, Func<TOut, TOut, TOut> combine, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        ReduceCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromSync(map, nameof(map)), combine, options, cancellationToken);

    /// <summary>Like <see cref="MapReduceAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, Func{TOut, TOut, TOut}, RunOptions?, CancellationToken)"/> with asynchronous mapping.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The mapped and combined type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="map">The work for one item; it receives the run's cancellation token.</param>
    /// <param name="combine">Combines two results; must be associative.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The combined value and the run's report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="map"/> or <paramref name="combine"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<ReduceResult<TOut>> MapReduceAsync<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, CancellationToken, ValueTask<TOut>> map, Func<TOut, TOut, TOut> combine, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        ReduceCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromAsync(map, nameof(map)), combine, options, cancellationToken);

    /// <summary>Like <see cref="MapReduceAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, Func{TOut, TOut, TOut}, RunOptions?, CancellationToken)"/> over an asynchronous sequence.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The mapped and combined type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="map">The work for one item.</param>
    /// <param name="combine">Combines two results; must be associative.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The combined value and the run's report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="map"/> or <paramref name="combine"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="map"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<ReduceResult<TOut>> MapReduceAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, TOut> map, Func<TOut, TOut, TOut> combine, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        ReduceCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromSync(map, nameof(map)), combine, options, cancellationToken);

    /// <summary>Like <see cref="MapReduceAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, Func{TOut, TOut, TOut}, RunOptions?, CancellationToken)"/> over an asynchronous sequence with asynchronous mapping.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The mapped and combined type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="map">The work for one item; it receives the run's cancellation token.</param>
    /// <param name="combine">Combines two results; must be associative.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The combined value and the run's report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="map"/> or <paramref name="combine"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a delegate given to an engine that runs only work types (worker processes, a cluster: implement <see cref="IWork{TIn, TOut}"/>), or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<ReduceResult<TOut>> MapReduceAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, CancellationToken, ValueTask<TOut>> map, Func<TOut, TOut, TOut> combine, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        ReduceCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromAsync(map, nameof(map)), combine, options, cancellationToken);

    private static async Task<RunResult<TOut>> MapCoreAsync<TIn, TOut>(ItemSource<TIn> source, WorkFunction<TIn, TOut> work, RunOptions? options, CancellationToken cancellationToken)
    {
        var sink = new MapSink<TOut>(source.Count);
        var (report, itemsRead) = await RunPipeline.RunAsync(source, work, sink, options, null, reportErrors: true, sink.Build, cancellationToken).ConfigureAwait(false);
        return sink.Build(report, itemsRead);
    }

    private static async Task<RunReport> ForEachCoreAsync<TIn>(ItemSource<TIn> source, WorkFunction<TIn, Unit> work, RunOptions? options, CancellationToken cancellationToken)
    {
        var (report, _) = await RunPipeline.RunAsync(source, work, new DiscardSink<Unit>(), options, null, reportErrors: true, partialResult: null, cancellationToken).ConfigureAwait(false);
        return report;
    }

    private static async Task<ReduceResult<TOut>> ReduceCoreAsync<TIn, TOut>(ItemSource<TIn> source, WorkFunction<TIn, TOut> work, Func<TOut, TOut, TOut> combine, RunOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(combine);
        EngineJob<TIn, TOut>? job = null;
        var sink = new ReduceSink<TOut>(combine, (index, e, afterWorkers) => job!.RecordCombineFailure(index, e, afterWorkers));
        var (report, _) = await RunPipeline.RunAsync(source, work, sink, options, j => job = j, reportErrors: true, (failed, _) =>
        {
            // A cancelled run stops combining at the cancel (lib54: a slow combiner held the cancelled call): nothing partial.
            if (failed.Cancelled)
            {
                return null;
            }

            var (partialHasValue, partialValue) = sink.Combine();
            return new ReduceResult<TOut>(partialHasValue, partialValue, failed);
        }, cancellationToken).ConfigureAwait(false);
        var (hasValue, value) = sink.Combine();
        return new ReduceResult<TOut>(hasValue, value, report);
    }

    private static RunStream<TOut> StreamCore<TIn, TOut>(Func<ItemSource<TIn>> source, WorkFunction<TIn, TOut> work, RunOptions? options)
    {
        var capacity = options?.StreamCapacity ?? new RunOptions().StreamCapacity;
        var ordered = options?.PreserveOrder ?? false;
        var inline = options?.AllowSynchronousContinuations ?? false;
        return new RunStream<TOut>(cancellationToken =>
        {
            ResultSink<TOut> sink;
            ChannelReader<ItemResult<TOut>> reader;
            ItemSource<TIn> items;
            if (ordered)
            {
                var orderedSink = new OrderedStreamSink<TOut>(capacity, options?.TimeProvider ?? TimeProvider.System, inline);
                (sink, reader, items) = (orderedSink, orderedSink.Reader, source());
            }
            else
            {
                var streamSink = new StreamSink<TOut>(capacity, inline);
                (sink, reader, items) = (streamSink, streamSink.Reader, source());
            }

            EngineJob<TIn, TOut>? job = null;
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var run = Task.Run(async () =>
            {
                var (report, _) = await RunPipeline.RunAsync(items, work, sink, options, j => { job = j; started.TrySetResult(); }, cancellationToken).ConfigureAwait(false);
                return report;
            }, CancellationToken.None);
            _ = run.ContinueWith(t =>
            {
                started.TrySetResult();

                // RunPipeline completes the sink itself, but a run that fails before getting there (an engine or a
                // progress callback that throws) must still end the reader, which then gets the error from the run. A run
                // that did not succeed hands out nothing more, so the sink is told not to wait for the reader.
                if (!t.IsCompletedSuccessfully)
                {
                    _ = sink.CompleteAsync(t.Exception?.InnerException, new CancellationToken(canceled: true)).AsTask();
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return (reader, run, () =>
            {
                // The reader left: stop the run once it has started (it may still be setting up).
                started.Task.ContinueWith(_ => job?.Abort(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }, () => job?.FinalReport);
        });
    }

    // A stream's input is checked at the call, like every other operation's, but read only when enumeration starts.
    private static Func<ItemSource<TIn>> Deferred<TIn>(IEnumerable<TIn> source)
    {
        NotNull(source);
        return () => ItemSource<TIn>.From(source);
    }

    private static Func<ItemSource<TIn>> Deferred<TIn>(IAsyncEnumerable<TIn> source)
    {
        NotNull(source);
        return () => ItemSource<TIn>.From(source);
    }

    // lib64: a ValueTask that completed synchronously (a cache hit, a buffered write) is taken as it is, without an async
    // state machine per item; only one still pending is awaited.
    private static Func<TIn, CancellationToken, ValueTask<Unit>> Adapt<TIn>(Func<TIn, CancellationToken, ValueTask> work) => (item, ct) =>
    {
        var pending = work(item, ct);
        if (pending.IsCompletedSuccessfully)
        {
            // GetResult: a ValueTask over an IValueTaskSource is consumed, so its source can be reused.
            pending.GetAwaiter().GetResult();
            return default;
        }

        return AwaitAsync(pending);
    };

    private static async ValueTask<Unit> AwaitAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        return default;
    }

    private static T NotNull<T>(T source)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(source, nameof(source));
        return source;
    }
}
