using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Brigade.Orleans.Grains;

/// <summary>A silo's work types: resolved by name only among the silo's work assemblies, checked once, cached.</summary>
internal sealed class WorkerRegistry(IOptions<BrigadeWorkerOptions> options)
{
    private readonly Assembly[] _assemblies = [.. options.Value.WorkAssemblies.Distinct()];
    private readonly ConcurrentDictionary<string, (WorkDescriptor? Descriptor, string? Error)> _cache = new(StringComparer.Ordinal);

    public IReadOnlyList<Assembly> Assemblies => _assemblies;

    /// <summary>Finds a work type; the error says why the silo cannot run it.</summary>
    public (WorkDescriptor? Descriptor, string? Error) Resolve(string name) => _cache.GetOrAdd(name, Find, this);

    private static (WorkDescriptor?, string?) Find(string name, WorkerRegistry self)
    {
        try
        {
            var descriptor = WorkDescriptor.Find(name, self._assemblies);
            if (descriptor is null)
            {
                return (null, $"work type {name} is not defined in the silo's work assemblies ({string.Join(", ", self._assemblies.Select(a => a.GetName().Name))}); start the silo with the assembly that defines it");
            }

            descriptor.EnsureSerializable();
            return (descriptor, null);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return (null, e.Message);
        }
    }
}
