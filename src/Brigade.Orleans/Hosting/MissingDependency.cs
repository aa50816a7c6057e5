using System.Reflection;

namespace Brigade.Orleans.Hosting;

/// <summary>An assembly a work assembly needs that the silo cannot find, and the chain of references that needs it.</summary>
/// <param name="Name">The missing assembly, as the last assembly of <paramref name="Chain"/> references it.</param>
/// <param name="Chain">The work assembly, the assemblies between, and the missing one, in reference order.</param>
internal sealed record MissingDependency(AssemblyName Name, IReadOnlyList<string> Chain)
{
    /// <summary>The missing assembly with its version and the path that needs it: <c>DiffPlex 1.9.0.0 (MyWork -> Lib -> DiffPlex)</c>.</summary>
    public override string ToString() =>
        Chain.Count <= 2 ? $"{Name.Name} {Name.Version}" : $"{Name.Name} {Name.Version} (needed through {string.Join(" -> ", Chain)})";
}
