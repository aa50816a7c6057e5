using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace Brigade.Orleans.Hosting;

/// <summary>
/// Loads a user's work assembly from its build output, resolving its dependencies from its <c>.deps.json</c> and
/// folder; assemblies the host already has (Brigade itself, the BCL) are shared, so work types implement the host's
/// <see cref="IWork{TIn, TOut}"/>.
/// </summary>
internal static class WorkAssemblyLoader
{
    private static readonly ConcurrentDictionary<string, AssemblyDependencyResolver> Resolvers = new(StringComparer.Ordinal);
    private static int _hooked;

    public static Assembly Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Work assembly '{full}' does not exist.", full);
        }

        Resolvers.TryAdd(full, new AssemblyDependencyResolver(full));
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += ResolveDependency;
        }

        var name = AssemblyName.GetAssemblyName(full);
        var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name));
        return loaded ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
    }

    /// <summary>
    /// The assemblies <paramref name="assembly"/> (loaded from <paramref name="path"/>) references that neither this host
    /// has nor its folder holds: what a class library's <c>dotnet build</c> output lacks (its NuGet packages), found when
    /// the silo starts rather than when an item first reaches them (review 47). Direct references only.
    /// </summary>
    public static IReadOnlyList<AssemblyName> MissingDependencies(Assembly assembly, string path)
    {
        var full = Path.GetFullPath(path);
        var resolver = Resolvers.GetOrAdd(full, static p => new AssemblyDependencyResolver(p));
        var folder = Path.GetDirectoryName(full)!;
        var platform = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var loaded = AssemblyLoadContext.Default.Assemblies.Select(a => a.GetName().Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = new List<AssemblyName>();
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (reference.Name is not { } name || loaded.Contains(name) || platform.Contains(name) ||
                File.Exists(Path.Combine(folder, name + ".dll")) || resolver.ResolveAssemblyToPath(reference) is not null)
            {
                continue;
            }

            missing.Add(reference);
        }

        return missing;
    }

    private static Assembly? ResolveDependency(AssemblyLoadContext context, AssemblyName name)
    {
        foreach (var resolver in Resolvers.Values)
        {
            if (resolver.ResolveAssemblyToPath(name) is { } path)
            {
                return context.LoadFromAssemblyPath(path);
            }
        }

        return null;
    }
}
