using Brigade.Engines.Remote;

namespace Brigade.Processes.Worker;

/// <summary>Finds work types by name among the assemblies the worker was started with (<see cref="WorkDescriptor.Find"/>), loading them on a thread of its own from the start (<see cref="Preload"/>).</summary>
internal sealed class AssemblyWorkResolver : IWorkResolver
{
    private readonly IReadOnlyList<string> _assemblyPaths;
    private readonly Preload _preload;

    public AssemblyWorkResolver(IReadOnlyList<string> assemblyPaths, string? workHint)
    {
        _assemblyPaths = assemblyPaths;
        _preload = new Preload(assemblyPaths, workHint);
        _preload.Start();
    }

    public RemoteItemExecutor? Create(string name, ItemPolicySpec? policy) =>
        WorkDescriptor.Find(name, _preload.Assemblies) is { } descriptor

            // The host checked that the types can make the trip before any item ran; the worker loads the same
            // assembly, so the executor only resolves their metadata.
            ? RemoteItemExecutor.Create(descriptor, policy, allowRaw: true)
            : null;

    public string NotFound(string name) =>
        $"Work type '{name}' was not found in the assemblies this worker was started with ({string.Join(", ", _assemblyPaths.Select(Path.GetFileName))}).";
}
