using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
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
    /// The assemblies the work assembly at <paramref name="path"/> needs, directly or through the assemblies it references,
    /// that neither this host has nor its folder (or its <c>.deps.json</c>) holds: what a class library's <c>dotnet build</c>
    /// output lacks (its NuGet packages, and theirs), found when the silo starts rather than when an item first reaches
    /// them (review 47: direct references only; review 48: the closure, each with the chain of references that needs it).
    /// </summary>
    /// <remarks>
    /// References are read from metadata, nothing is loaded. The walk stops at assemblies the host has (the BCL, Brigade,
    /// what is loaded): their own references are the host's. Bounded by <see cref="MaxClosure"/> assemblies read, breadth
    /// first, so each missing assembly comes with a shortest chain.
    /// </remarks>
    public static IReadOnlyList<MissingDependency> MissingDependencies(string path)
    {
        var full = Path.GetFullPath(path);
        var resolver = Resolvers.GetOrAdd(full, static p => new AssemblyDependencyResolver(p));
        var folder = Path.GetDirectoryName(full)!;
        var platform = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var loaded = AssemblyLoadContext.Default.Assemblies.Select(a => a.GetName().Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = new List<MissingDependency>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<(string File, IReadOnlyList<string> Chain)>();
        var rootName = ReadName(full) ?? Path.GetFileNameWithoutExtension(full);
        seen.Add(rootName);
        pending.Enqueue((full, [rootName]));
        var read = 0;
        while (pending.TryDequeue(out var next) && read++ < MaxClosure)
        {
            foreach (var reference in ReadReferences(next.File))
            {
                if (reference.Name is not { } name || !seen.Add(name) || loaded.Contains(name) || platform.Contains(name))
                {
                    continue;
                }

                var chain = (IReadOnlyList<string>)[.. next.Chain, name];
                var beside = Path.Combine(folder, name + ".dll");
                var found = File.Exists(beside) ? beside : resolver.ResolveAssemblyToPath(reference);
                if (found is null)
                {
                    missing.Add(new MissingDependency(reference, chain));
                }
                else
                {
                    pending.Enqueue((found, chain));
                }
            }
        }

        return missing;
    }

    /// <summary>How many assemblies <see cref="MissingDependencies"/> reads at most: a work assembly's own closure, not the framework's.</summary>
    internal const int MaxClosure = 256;

    private static string? ReadName(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            using var pe = new PEReader(stream);
            var reader = pe.GetMetadataReader();
            return reader.IsAssembly ? reader.GetString(reader.GetAssemblyDefinition().Name) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static List<AssemblyName> ReadReferences(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            using var pe = new PEReader(stream);
            var reader = pe.GetMetadataReader();
            return [.. reader.AssemblyReferences.Select(h => reader.GetAssemblyReference(h).GetAssemblyName())];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            // Not readable as .NET metadata (a native image, a file being replaced): nothing to follow through it.
            return [];
        }
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
