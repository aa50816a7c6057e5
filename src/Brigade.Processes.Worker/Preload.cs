using System.Reflection;

namespace Brigade.Processes.Worker;

/// <summary>
/// Loads the worker's assemblies, and the JSON metadata of the work type the host named at start, on a thread of its
/// own as soon as the process starts. Prepare then finds everything ready (or waits for it); an error is kept and
/// reported by Prepare, as if it had happened there.
/// </summary>
internal sealed class Preload(IReadOnlyList<string> assemblyPaths, string? workName)
{
    private readonly Lazy<IReadOnlyList<Assembly>> _assemblies = new(() => AssemblyLoader.Load(assemblyPaths), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets the assemblies the worker was started with, loading them if the preload has not yet.</summary>
    public IReadOnlyList<Assembly> Assemblies => _assemblies.Value;

    public void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "brigade-worker-preload" };
        thread.Start();
    }

    private void Run()
    {
        try
        {
            Load();
        }
        catch (Exception)
        {
            // Prepare does the same work again and reports the error to the host. Caught here, around a method of its
            // own: an assembly Load's code needs that cannot be loaded (Brigade.dll) fails as it is compiled, before
            // its body runs, and would end the process from this thread.
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void Load()
    {
        var assemblies = Assemblies;
        if (workName is not null && WorkDescriptor.Find(workName, assemblies) is { } descriptor)
        {
            // Resolving the metadata caches it on the descriptor and the options: Prepare reuses both. Primitive
            // numbers travel as raw bytes and need none (the serializer's converters are then never built).
            if (!TravelsRaw(descriptor.InputType))
            {
                _ = descriptor.InputTypeInfo;
                descriptor.SerializerOptions.TryGetTypeInfo(descriptor.InputType.MakeArrayType(), out _);
            }

            if (!TravelsRaw(descriptor.OutputType))
            {
                _ = descriptor.OutputTypeInfo;
                descriptor.SerializerOptions.TryGetTypeInfo(descriptor.OutputType.MakeArrayType(), out _);
            }

            _ = typeof(Brigade.Engines.Remote.RemoteItemExecutor<,>).MakeGenericType(descriptor.InputType, descriptor.OutputType);
        }
    }

    // The types RemoteValueCodec sends as raw bytes between processes of one machine.
    private static bool TravelsRaw(Type type) =>
        (type.IsPrimitive && type != typeof(IntPtr) && type != typeof(UIntPtr)) || type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>);
}
