using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers.LockOrder;

/// <summary>
/// The functions of the compilation called, as statements, while a lock is held outside a <c>using</c>, newest first:
/// a persistent list (each call adds a link in front of the ones before it, which it shares), compared by reference.
/// </summary>
internal sealed class ReleaserChain
{
    /// <summary>Initializes a link.</summary>
    /// <param name="method">The function called.</param>
    /// <param name="previous">The functions called before it.</param>
    public ReleaserChain(IMethodSymbol method, ReleaserChain? previous)
    {
        Method = method;
        Previous = previous;
    }

    /// <summary>Gets the function called.</summary>
    public IMethodSymbol Method { get; }

    /// <summary>Gets the functions called before it, or null.</summary>
    public ReleaserChain? Previous { get; }
}
