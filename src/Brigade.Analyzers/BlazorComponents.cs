using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers;

/// <summary>
/// Blazor Server components (review 66b): a class deriving from Microsoft.AspNetCore.Components.ComponentBase in a
/// compilation that references Microsoft.AspNetCore.Components.Server. Each circuit (a user's connection) runs its
/// components' events one at a time on a thread of its own, so the component's fields and its scoped services are the
/// circuit's; a service registered as a singleton is one instance for every circuit, written by all of them at once. In a
/// Blazor WebAssembly compilation (no Components.Server) a singleton is the one user's, on one thread: not reported.
/// </summary>
internal static class BlazorComponents
{
    /// <summary>Describes a method of a Blazor Server component that has a singleton injected, for messages.</summary>
    /// <param name="method">A method with a body.</param>
    /// <param name="known">The compilation's known symbols.</param>
    /// <returns>What runs the method, or null when it is not such a method.</returns>
    public static string? Of(IMethodSymbol method, KnownSymbols known)
    {
        if (known.CircuitHandler is null || method.IsStatic || method.MethodKind is not (MethodKind.Ordinary or MethodKind.PropertyGet or MethodKind.PropertySet)
            || method.ContainingType is not { TypeKind: TypeKind.Class } type || !IsComponent(type))
        {
            return null;
        }

        return "Blazor Server (component method " + type.Name + "." + method.Name + "; the singleton is shared by every circuit, each on its own thread)";
    }

    /// <summary>Describes a method of a Blazor Server component that writes a static (review 67), for messages.</summary>
    /// <param name="method">A method for which <see cref="Of"/> gave a description.</param>
    /// <returns>What runs the method.</returns>
    public static string StaticsOf(IMethodSymbol method) =>
        "Blazor Server (component method " + method.ContainingType.Name + "." + method.Name + "; a static is shared by every circuit, each on its own thread)";

    /// <summary>Describes a lambda a Blazor Server component's member hands to <c>InvokeAsync</c> (review 67), for messages.</summary>
    /// <param name="type">The type of the member the lambda is written in.</param>
    /// <param name="member">That member.</param>
    /// <param name="known">The compilation's known symbols.</param>
    /// <returns>What runs the lambda, for a singleton's write and a static's, or null when the type is not a Blazor Server component.</returns>
    public static (string Singleton, string Static)? DispatchedIn(INamedTypeSymbol type, ISymbol member, KnownSymbols known)
    {
        if (known.CircuitHandler is null || type.TypeKind != TypeKind.Class || !IsComponent(type))
        {
            return null;
        }

        var where = "Blazor Server (InvokeAsync in component method " + type.Name + "." + member.Name + ", one work item at a time for its circuit only; ";
        return (where + "the singleton is shared by every circuit, each on its own thread)", where + "a static is shared by every circuit, each on its own thread)");
    }

    /// <summary>Finds whether a member is an <c>[Inject]</c> property of a type the compilation registers as a singleton.</summary>
    /// <param name="symbol">A field, property or parameter.</param>
    /// <param name="type">The component.</param>
    /// <param name="known">The compilation's known symbols.</param>
    /// <returns>True for an injected singleton.</returns>
    public static bool IsInjectedSingleton(ISymbol symbol, INamedTypeSymbol type, KnownSymbols known) =>
        symbol is IPropertySymbol { IsStatic: false } property
        && SymbolEqualityComparer.Default.Equals(property.ContainingType.OriginalDefinition, type.OriginalDefinition)
        && property.GetAttributes().Any(a => a.AttributeClass is { Name: "InjectAttribute" } attribute && attribute.ContainingNamespace?.ToDisplayString() == "Microsoft.AspNetCore.Components")
        && known.Singletons.TryGet(property.Type, out _);

    private static bool IsComponent(INamedTypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.Name == "ComponentBase" && current.ContainingNamespace?.ToDisplayString() == "Microsoft.AspNetCore.Components")
            {
                return true;
            }
        }

        return false;
    }
}
