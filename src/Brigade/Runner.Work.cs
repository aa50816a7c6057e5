using Brigade.Internal;
using Brigade.Sources;

namespace Brigade;

// Overloads that take work as a type (IWork / IAsyncWork): the form of work that engines running items in other
// processes or on other machines can recreate there. In-process engines simply call the instance.
public static partial class Runner
{

    /// <summary>Runs a work type over every item and returns the results in input order.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>Every item's outcome in input order, and the run's report; its <see cref="RunResult{T}.Values"/> throws <see cref="RunFailedException"/> when an item failed or was not run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a work type that cannot cross a process boundary on an engine that runs items elsewhere, or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunResult<TOut>> MapAsync<TIn, TOut>(IEnumerable<TIn> source, IWork<TIn, TOut> work, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromWork(work, nameof(work)), options, cancellationToken);

    /// <summary>Runs a work type over every item and returns the results in input order.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The asynchronous work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>Every item's outcome in input order, and the run's report; its <see cref="RunResult{T}.Values"/> throws <see cref="RunFailedException"/> when an item failed or was not run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a work type that cannot cross a process boundary on an engine that runs items elsewhere, or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunResult<TOut>> MapAsync<TIn, TOut>(IEnumerable<TIn> source, IAsyncWork<TIn, TOut> work, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromWork(work, nameof(work)), options, cancellationToken);

    /// <summary>Runs a work type over every item and returns the results in input order.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>Every item's outcome in input order, and the run's report; its <see cref="RunResult{T}.Values"/> throws <see cref="RunFailedException"/> when an item failed or was not run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a work type that cannot cross a process boundary on an engine that runs items elsewhere, or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunResult<TOut>> MapAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, IWork<TIn, TOut> work, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromWork(work, nameof(work)), options, cancellationToken);

    /// <summary>Runs a work type over every item and returns the results in input order.</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The asynchronous work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>Every item's outcome in input order, and the run's report; its <see cref="RunResult{T}.Values"/> throws <see cref="RunFailedException"/> when an item failed or was not run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a work type that cannot cross a process boundary on an engine that runs items elsewhere, or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<RunResult<TOut>> MapAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, IAsyncWork<TIn, TOut> work, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        MapCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromWork(work, nameof(work)), options, cancellationToken);

    /// <summary>Runs a work type over every item and yields each outcome as soon as it is ready (completion order).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <returns>The outcomes as they finish; the report is on <see cref="RunStream{T}.Report"/> afterwards.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <remarks>Errors that stop the run (<see cref="RunCanceledException"/>, <see cref="SourceFailedException"/>, <see cref="NotSupportedException"/>, the engine's) are thrown while the stream is enumerated, not by this call.</remarks>
    public static RunStream<TOut> StreamAsync<TIn, TOut>(IEnumerable<TIn> source, IWork<TIn, TOut> work, RunOptions? options = null)
    {
        var function = WorkFunction<TIn, TOut>.FromWork(work, nameof(work));
        return StreamCore(Deferred(source), function, options);
    }

    /// <summary>Runs a work type over every item and yields each outcome as soon as it is ready (completion order).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="work">The asynchronous work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <returns>The outcomes as they finish; the report is on <see cref="RunStream{T}.Report"/> afterwards.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <remarks>Errors that stop the run (<see cref="RunCanceledException"/>, <see cref="SourceFailedException"/>, <see cref="NotSupportedException"/>, the engine's) are thrown while the stream is enumerated, not by this call.</remarks>
    public static RunStream<TOut> StreamAsync<TIn, TOut>(IEnumerable<TIn> source, IAsyncWork<TIn, TOut> work, RunOptions? options = null)
    {
        var function = WorkFunction<TIn, TOut>.FromWork(work, nameof(work));
        return StreamCore(Deferred(source), function, options);
    }

    /// <summary>Runs a work type over every item and yields each outcome as soon as it is ready (completion order).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <returns>The outcomes as they finish; the report is on <see cref="RunStream{T}.Report"/> afterwards.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="work"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <remarks>Errors that stop the run (<see cref="RunCanceledException"/>, <see cref="SourceFailedException"/>, <see cref="NotSupportedException"/>, the engine's) are thrown while the stream is enumerated, not by this call.</remarks>
    public static RunStream<TOut> StreamAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, IWork<TIn, TOut> work, RunOptions? options = null)
    {
        var function = WorkFunction<TIn, TOut>.FromWork(work, nameof(work));
        return StreamCore(Deferred(source), function, options);
    }

    /// <summary>Runs a work type over every item and yields each outcome as soon as it is ready (completion order).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="work">The asynchronous work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <returns>The outcomes as they finish; the report is on <see cref="RunStream{T}.Report"/> afterwards.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="work"/> is <see langword="null"/>.</exception>
    /// <remarks>Errors that stop the run (<see cref="RunCanceledException"/>, <see cref="SourceFailedException"/>, <see cref="NotSupportedException"/>, the engine's) are thrown while the stream is enumerated, not by this call.</remarks>
    public static RunStream<TOut> StreamAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, IAsyncWork<TIn, TOut> work, RunOptions? options = null)
    {
        var function = WorkFunction<TIn, TOut>.FromWork(work, nameof(work));
        return StreamCore(Deferred(source), function, options);
    }

    /// <summary>Maps every item with a work type and combines the results in input order (see <see cref="MapReduceAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, Func{TOut, TOut, TOut}, RunOptions?, CancellationToken)"/>).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The mapped and combined type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="map">The work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="combine">Combines two results, in this process; must be associative.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The combined value and the run's report; items that failed are left out and reported.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="map"/> or <paramref name="combine"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="map"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a work type that cannot cross a process boundary on an engine that runs items elsewhere, or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<ReduceResult<TOut>> MapReduceAsync<TIn, TOut>(IEnumerable<TIn> source, IWork<TIn, TOut> map, Func<TOut, TOut, TOut> combine, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        ReduceCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromWork(map, nameof(map)), combine, options, cancellationToken);

    /// <summary>Maps every item with a work type and combines the results in input order (see <see cref="MapReduceAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, Func{TOut, TOut, TOut}, RunOptions?, CancellationToken)"/>).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The mapped and combined type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="map">The asynchronous work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="combine">Combines two results, in this process; must be associative.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The combined value and the run's report; items that failed are left out and reported.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="map"/> or <paramref name="combine"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a work type that cannot cross a process boundary on an engine that runs items elsewhere, or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<ReduceResult<TOut>> MapReduceAsync<TIn, TOut>(IEnumerable<TIn> source, IAsyncWork<TIn, TOut> map, Func<TOut, TOut, TOut> combine, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        ReduceCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromWork(map, nameof(map)), combine, options, cancellationToken);

    /// <summary>Maps every item with a work type and combines the results in input order (see <see cref="MapReduceAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, Func{TOut, TOut, TOut}, RunOptions?, CancellationToken)"/>).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The mapped and combined type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="map">The work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="combine">Combines two results, in this process; must be associative.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The combined value and the run's report; items that failed are left out and reported.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="map"/> or <paramref name="combine"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="map"/> returns a <see cref="Task"/> or <see cref="ValueTask"/>: asynchronous work given as synchronous (use the overload that takes a cancellation token).</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a work type that cannot cross a process boundary on an engine that runs items elsewhere, or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<ReduceResult<TOut>> MapReduceAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, IWork<TIn, TOut> map, Func<TOut, TOut, TOut> combine, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        ReduceCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromWork(map, nameof(map)), combine, options, cancellationToken);

    /// <summary>Maps every item with a work type and combines the results in input order (see <see cref="MapReduceAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, Func{TOut, TOut, TOut}, RunOptions?, CancellationToken)"/>).</summary>
    /// <typeparam name="TIn">The input item type.</typeparam>
    /// <typeparam name="TOut">The mapped and combined type.</typeparam>
    /// <param name="source">The items, read as workers become free.</param>
    /// <param name="map">The asynchronous work; in-process engines call this instance, other engines create their own from its type.</param>
    /// <param name="combine">Combines two results, in this process; must be associative.</param>
    /// <param name="options">How to run; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops new items from starting; the call then throws <see cref="RunCanceledException"/> (an <see cref="OperationCanceledException"/>, with the report of the items that ran) once the started items end (an asynchronous item that ignores its token is abandoned one second after the cancel).</param>
    /// <returns>The combined value and the run's report; items that failed are left out and reported.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="map"/> or <paramref name="combine"/> is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">The engine cannot run this work: a work type that cannot cross a process boundary on an engine that runs items elsewhere, or <see cref="RunOptions.ItemTimeout"/> or <see cref="RunOptions.ItemRetry"/> set for an engine that does not apply them.</exception>
    /// <exception cref="RunCanceledException"><paramref name="cancellationToken"/> was cancelled; <see cref="RunCanceledException.Report"/> has the items that ran.</exception>
    /// <exception cref="SourceFailedException"><paramref name="source"/> threw while it was read (the exception is the inner one); the items read before it ran, and its <see cref="SourceFailedException.Report"/> has them.</exception>
    /// <exception cref="RunFailedException">An error stopped the run, not an item's (the engine failed: worker processes that could not start, an engine disposed mid-run); the error is the inner exception and <see cref="RunFailedException.Report"/> says which items ran. A failing item throws nothing here, <see cref="FailureMode.StopOnFirstFailure"/> included: it is in the result.</exception>
    /// <exception cref="ObjectDisposedException">The engine in <see cref="RunOptions.Engine"/> was disposed before the run began.</exception>
    public static Task<ReduceResult<TOut>> MapReduceAsync<TIn, TOut>(IAsyncEnumerable<TIn> source, IAsyncWork<TIn, TOut> map, Func<TOut, TOut, TOut> combine, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        ReduceCoreAsync(ItemSource<TIn>.From(NotNull(source)), WorkFunction<TIn, TOut>.FromWork(map, nameof(map)), combine, options, cancellationToken);
}
