namespace Brigade;

/// <summary>
/// Synchronous work for one item, as a type: the form of work that can cross a process or machine boundary.
/// </summary>
/// <typeparam name="TIn">The input item type.</typeparam>
/// <typeparam name="TOut">The result type.</typeparam>
/// <remarks>
/// <para>In-process engines call the instance given to <see cref="Runner"/>. Engines that run items elsewhere (worker
/// processes, a cluster) create their own instance in each worker with the type's parameterless constructor, and
/// send inputs and results as JSON (System.Text.Json; see <see cref="WorkSerializerAttribute"/>). Keep
/// configuration in the items or in constants: the state of the instance you pass does not travel.</para>
/// <para>A worker runs one item at a time on its instance, so an instance needs no locking of its own; in-process
/// engines share the one instance across their workers, so it must then be thread-safe (stateless is simplest).</para>
/// </remarks>
/// <example>
/// <code>
/// public sealed class CountPrimes : IWork&lt;Range, int&gt;
/// {
///     public int Execute(Range range) =&gt; ...;
/// }
///
/// var result = await Runner.MapAsync(ranges, new CountPrimes(), new RunOptions { Engine = processes });
/// </code>
/// </example>
public interface IWork<in TIn, out TOut>
{
    /// <summary>Runs the work for one item.</summary>
    /// <param name="input">The item.</param>
    /// <returns>The item's result.</returns>
    TOut Execute(TIn input);
}
