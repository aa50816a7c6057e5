using System.Diagnostics.CodeAnalysis;

namespace Brigade.Engines.Remote;

/// <summary>
/// The one rule by which the engines that run items elsewhere (worker processes, a cluster) accept a work type for a
/// run: C#'s variance for <see cref="IWork{TIn, TOut}"/>. The work's input type must accept every item of the run, and
/// its result type must be one the run can hold; the items then travel as the work's input type and the results come
/// back as its result type.
/// </summary>
/// <remarks>Every run <see cref="Runner"/> builds from a work instance satisfies the rule; it guards engines against
/// jobs built any other way, and keeps the two remote engines from disagreeing on the same <see cref="WorkDescriptor"/>.</remarks>
internal static class WorkTypeCheck
{
    /// <summary>Gets whether <paramref name="descriptor"/>'s work can run items of <paramref name="input"/> into results of <paramref name="output"/>.</summary>
    public static bool Accepts(WorkDescriptor descriptor, Type input, Type output) =>
        descriptor.InputType.IsAssignableFrom(input) && output.IsAssignableFrom(descriptor.OutputType);

    /// <summary>Checks the work type for a run of <typeparamref name="TIn"/> to <typeparamref name="TOut"/>: the variance rule, then that its items and results can cross.</summary>
    /// <exception cref="ArgumentException">The work's types do not fit the run's.</exception>
    /// <exception cref="NotSupportedException">The input or result type cannot be serialized.</exception>
    [RequiresUnreferencedCode("Work descriptors find interfaces, constructors and JSON metadata by reflection.")]
    [RequiresDynamicCode("Work descriptors may build JSON metadata by reflection.")]
    public static void Ensure<TIn, TOut>(WorkDescriptor descriptor)
    {
        EnsureFits<TIn, TOut>(descriptor);
        descriptor.EnsureSerializable();
    }

    /// <summary>Checks the variance rule alone, for values that never travel as JSON.</summary>
    /// <exception cref="ArgumentException">The work's types do not fit the run's.</exception>
    public static void EnsureFits<TIn, TOut>(WorkDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!Accepts(descriptor, typeof(TIn), typeof(TOut)))
        {
            throw new ArgumentException(
                $"Work type {descriptor.Name} maps {descriptor.InputType.Name} to {descriptor.OutputType.Name}, but the run maps {typeof(TIn).Name} to {typeof(TOut).Name}: " +
                $"the work's input type must accept every {typeof(TIn).Name} and its result must be a {typeof(TOut).Name}.");
        }
    }
}
