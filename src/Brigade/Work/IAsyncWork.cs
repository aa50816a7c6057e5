namespace Brigade;

/// <summary>
/// Asynchronous work for one item, as a type: the form of asynchronous work that can cross a process or machine
/// boundary.
/// </summary>
/// <typeparam name="TIn">The input item type.</typeparam>
/// <typeparam name="TOut">The result type.</typeparam>
/// <remarks>
/// The same rules as <see cref="IWork{TIn, TOut}"/> apply: a parameterless constructor, JSON-serializable inputs and
/// results, and no state that must travel with the instance. A type implements either this interface or
/// <see cref="IWork{TIn, TOut}"/>, once.
/// </remarks>
public interface IAsyncWork<in TIn, TOut>
{
    /// <summary>Runs the work for one item.</summary>
    /// <param name="input">The item.</param>
    /// <param name="cancellationToken">Trips when the run stops; work that honours it ends early and counts as not run.</param>
    /// <returns>The item's result.</returns>
    ValueTask<TOut> ExecuteAsync(TIn input, CancellationToken cancellationToken);
}
