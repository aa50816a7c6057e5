using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Brigade.Processes.Worker;

/// <summary>
/// Loads the assemblies the worker was started with, and their dependencies from the build output, through each
/// one's .deps.json (<see cref="AssemblyDependencyResolver"/>). Everything goes to the default load context: a
/// worker process serves one application, so there is nothing to isolate, and Brigade's own types stay shared.
/// </summary>
internal static class AssemblyLoader
{
    public static IReadOnlyList<Assembly> Load(IReadOnlyList<string> paths)
    {
        var assemblies = new List<Assembly>();
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            AddResolver(full);

            // Straight from the file: the default context still gives an assembly on the worker's platform list (its own
            // dependencies, such as Brigade.dll) from there, so nothing is loaded twice. Binding by name instead would go
            // through the Resolving event below (15-20 ms of a cold worker's start-up), and reading the file's name with
            // AssemblyName.GetAssemblyName would load System.Reflection.Metadata (another ~20 ms).
            assemblies.Add(AssemblyLoadContext.Default.LoadFromAssemblyPath(full));
        }

        return assemblies;
    }

    private static void AddResolver(string path)
    {
        AssemblyDependencyResolver? resolver = null;
        try
        {
            resolver = new AssemblyDependencyResolver(path);
        }
        catch (InvalidOperationException)
        {
            // No usable .deps.json: fall back to the assembly's own directory.
        }

        var directory = Path.GetDirectoryName(path)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var found = resolver?.ResolveAssemblyToPath(name);
            if (found is null && name.Name is { } simple)
            {
                var candidate = Path.Combine(directory, simple + ".dll");
                found = File.Exists(candidate) ? candidate : null;
            }

            return found is null ? null : context.LoadFromAssemblyPath(found);
        };
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) =>
            resolver?.ResolveUnmanagedDllToPath(name) is { } native ? NativeLibrary.Load(native) : 0;
    }
}
