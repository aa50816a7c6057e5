using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers;

/// <summary>
/// Orleans grains, by name (review 66b): a class deriving from <c>Orleans.Grain</c> (or <c>Grain&lt;TState&gt;</c>) or
/// implementing <c>Orleans.IGrainBase</c> (a grain that is a plain class). Orleans runs one turn of an activation at a
/// time on the activation's own scheduler.
/// </summary>
internal static class OrleansGrains
{
    /// <summary>Finds whether a type is a grain class.</summary>
    /// <param name="type">A type, or null.</param>
    /// <returns>True for a class deriving from Orleans.Grain or implementing Orleans.IGrainBase.</returns>
    public static bool IsGrain(INamedTypeSymbol? type)
    {
        if (type is not { TypeKind: TypeKind.Class })
        {
            return false;
        }

        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.Name == "Grain" && IsOrleans(current))
            {
                return true;
            }
        }

        foreach (var implemented in type.AllInterfaces)
        {
            if (implemented.Name == "IGrainBase" && IsOrleans(implemented))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsOrleans(ISymbol symbol) => symbol.ContainingNamespace is { Name: "Orleans", ContainingNamespace.IsGlobalNamespace: true };
}
