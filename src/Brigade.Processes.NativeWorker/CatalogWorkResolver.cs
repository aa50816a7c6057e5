using Brigade.Engines.Remote;
using Brigade.Processes.Worker;

namespace Brigade.Processes;

/// <summary>Finds work types in a <see cref="WorkerCatalog"/>: the worker's assemblies on the command line are not loaded (the work is compiled in).</summary>
internal sealed class CatalogWorkResolver(WorkerCatalog catalog) : IWorkResolver
{
    public RemoteItemExecutor? Create(string name, ItemPolicySpec? policy) => catalog.Create(name, policy);

    public string NotFound(string name)
    {
        var names = catalog.Names.Order(StringComparer.Ordinal).ToList();
        var worker = Path.GetFileName(Environment.ProcessPath) ?? "this worker";
        return $"Work type '{name}' is not in the catalog of the worker executable {worker} " +
            (names.Count == 0 ? "(it is empty)" : $"({string.Join(", ", names)})") +
            ": register it with WorkerCatalog.Add in the worker's Main, and build (or publish) the worker again.";
    }
}
