using System.Reflection;

namespace Brigade.Orleans;

/// <summary>What a silo lets the cluster engine run: the assemblies whose work types it accepts.</summary>
/// <remarks>
/// A silo resolves the work type named by a run only among these assemblies (see <see cref="WorkDescriptor.Find"/>);
/// a name from the wire never loads an assembly. Validated when the silo starts
/// (<see cref="BrigadeWorkerOptionsValidator"/>): at least one assembly is required.
/// </remarks>
public sealed class BrigadeWorkerOptions
{
    /// <summary>Gets the assemblies whose work types (<see cref="IWork{TIn, TOut}"/>, <see cref="IAsyncWork{TIn, TOut}"/>) the silo runs.</summary>
    /// <value>Empty by default; add the assemblies that define your work types.</value>
    public IList<Assembly> WorkAssemblies { get; } = [];
}
