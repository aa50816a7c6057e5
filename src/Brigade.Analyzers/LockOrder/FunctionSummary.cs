using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers.LockOrder;

/// <summary>What one function (method, accessor, constructor, local function or lambda) does with locks and calls.</summary>
internal sealed class FunctionSummary
{
    /// <summary>Initializes a summary.</summary>
    /// <param name="function">The function.</param>
    /// <param name="events">Its acquisitions and calls into the compilation, in source order.</param>
    /// <param name="releases">The locks it releases without taking them (a release helper).</param>
    /// <param name="leaksThis">Whether it may let <c>this</c> out (see <see cref="LeaksThis"/>).</param>
    public FunctionSummary(IMethodSymbol function, IReadOnlyList<LockEvent> events, IReadOnlyCollection<LockKey> releases, bool leaksThis = false)
    {
        Function = function;
        Events = events;
        Releases = releases;
        LeaksThis = leaksThis;
    }

    /// <summary>
    /// Gets a value indicating whether the function may let <c>this</c> out to code that could hand it to another thread:
    /// <c>this</c> used otherwise than to reach a member (an argument, stored, returned, captured by a lambda), or a
    /// method called on it that the compilation does not show (declared elsewhere, or virtual).
    /// </summary>
    public bool LeaksThis { get; }

    /// <summary>Gets the function.</summary>
    public IMethodSymbol Function { get; }

    /// <summary>Gets its acquisitions and calls, in source order.</summary>
    public IReadOnlyList<LockEvent> Events { get; }

    /// <summary>Gets the locks it releases directly without taking them itself (<c>void Exit() => _gate.Release();</c>).</summary>
    public IReadOnlyCollection<LockKey> Releases { get; }

    /// <summary>Gets a short name of a function for messages: <c>Type.Method</c>, or the method a lambda is in.</summary>
    /// <param name="function">The function.</param>
    /// <returns>The name.</returns>
    public static string NameOf(IMethodSymbol function) => function.MethodKind switch
    {
        MethodKind.AnonymousFunction => "a lambda in " + (function.ContainingSymbol is IMethodSymbol outer ? NameOf(outer) : function.ContainingType?.Name),
        MethodKind.LocalFunction => (function.ContainingSymbol is IMethodSymbol outer ? NameOf(outer) + "." : "") + function.Name,
        MethodKind.Constructor => function.ContainingType.Name + " constructor",
        MethodKind.PropertyGet or MethodKind.PropertySet => function.ContainingType.Name + "." + (function.AssociatedSymbol?.Name ?? function.Name),
        _ => function.ContainingType?.Name + "." + function.Name,
    };

    /// <summary>Maps a method to the symbol its body is summarised under (partial, reduced and generic forms to one).</summary>
    /// <param name="method">The method.</param>
    /// <returns>The normalised symbol.</returns>
    public static IMethodSymbol Normalize(IMethodSymbol method)
    {
        var normalized = (method.ReducedFrom ?? method).OriginalDefinition;
        return normalized.PartialDefinitionPart ?? normalized;
    }
}
