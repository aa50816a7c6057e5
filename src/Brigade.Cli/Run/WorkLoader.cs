using System.Reflection;
using System.Runtime.Loader;

namespace Brigade.Cli.Run;

/// <summary>
/// Loads a user's work type for <c>brigade run --assembly PATH --work TYPE</c>: the assembly and its dependencies come
/// from its build output (its <c>.deps.json</c>), in a load context of their own; Brigade itself is shared so the
/// type's <c>IWork</c> is the one Brigade knows.
/// </summary>
internal static class WorkLoader
{
    public static JobWork Load(string assemblyPath, string typeName, bool inProcess, JobRetry retry, TimeSpan? timeout)
    {
        var (descriptor, instance) = Resolve(assemblyPath, typeName);
        return Create(descriptor, instance, inProcess, retry, timeout);
    }

    /// <summary>Wraps a resolved work type for a job (one load: its input type is the one the instance expects).</summary>
    /// <param name="descriptor">The work type.</param>
    /// <param name="instance">Its instance.</param>
    /// <param name="inProcess">Whether the engine runs items in this process (then retries and the timeout are the kit's, per attempt).</param>
    /// <param name="retry">The retries (in this process only).</param>
    /// <param name="timeout">The per-attempt timeout in this process (the process engine enforces its own).</param>
    public static JobWork Create(WorkDescriptor descriptor, object instance, bool inProcess, JobRetry retry, TimeSpan? timeout)
    {
        var workType = typeof(TypedWork<,>).MakeGenericType(descriptor.InputType, descriptor.OutputType);
        return (JobWork)Activator.CreateInstance(workType, descriptor, instance, inProcess, retry, timeout)!;
    }

    /// <summary>Loads the assembly, finds the work type and creates an instance; every problem is a usage error naming the option.</summary>
    public static (WorkDescriptor Descriptor, object Instance) Resolve(string assemblyPath, string typeName)
    {
        var path = Path.GetFullPath(assemblyPath);
        if (!File.Exists(path))
        {
            throw new CliUsageException($"--assembly: '{assemblyPath}' not found");
        }

        Assembly assembly;
        try
        {
            assembly = new WorkLoadContext(path).LoadFromAssemblyPath(path);
        }
        catch (BadImageFormatException)
        {
            throw new CliUsageException($"--assembly: '{assemblyPath}' is not a .NET assembly");
        }

        WorkDescriptor? descriptor;
        try
        {
            descriptor = WorkDescriptor.Find(typeName, [assembly]);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException($"--work: {e.Message.Split(" (Parameter", 2)[0]}");
        }

        if (descriptor is null)
        {
            // A name without its namespace ("ParseOrder" for "Acme.ParseOrder"), as users type it: the one work type
            // of that name. Before review 63 the error listed "Acme.ParseOrder" as not being "ParseOrder".
            var candidates = WorkTypes(assembly);
            var named = candidates.Where(c => c.EndsWith("." + typeName, StringComparison.Ordinal) || c.EndsWith("+" + typeName, StringComparison.Ordinal)).ToList();
            if (named.Count > 1)
            {
                throw new CliUsageException($"--work: '{typeName}' names {named.Count} work types in {Path.GetFileName(path)}: {string.Join(", ", named)}; give the full name");
            }

            descriptor = named.Count == 1 ? WorkDescriptor.Find(named[0], [assembly]) : null;
            if (descriptor is null)
            {
                throw new CliUsageException(candidates.Count == 0
                    ? $"--work: no type '{typeName}' in {Path.GetFileName(path)}, which has no IWork/IAsyncWork types"
                    : $"--work: no work type '{typeName}' in {Path.GetFileName(path)}; it has: {string.Join(", ", candidates)}");
            }
        }

        try
        {
            descriptor.EnsureSerializable();
        }
        catch (NotSupportedException e)
        {
            throw new CliUsageException($"--work: {e.Message.Split(" (Parameter", 2)[0]}");
        }

        try
        {
            return (descriptor, descriptor.CreateInstance());
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            // "TargetInvocationException: Exception has been thrown by the target of an invocation." before review 63.
            throw new CliIOException($"--work: {descriptor.Name}'s constructor threw {inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}", inner);
        }
        catch (TypeInitializationException e) when (e.InnerException is { } inner)
        {
            throw new CliIOException($"--work: {descriptor.Name}'s static initializer threw {inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}", inner);
        }
    }

    private static List<string> WorkTypes(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = [.. e.Types.OfType<Type>()];
        }

        return [.. types.Where(t => t.GetInterfaces().Any(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IWork<,>) || i.GetGenericTypeDefinition() == typeof(IAsyncWork<,>))))
            .Select(t => t.FullName!).Order(StringComparer.Ordinal)];
    }

    private sealed class WorkLoadContext(string mainAssemblyPath) : AssemblyLoadContext("brigade-work", isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // Anything the CLI already has (Brigade above all) is shared, so types match across the boundary.
            if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), assemblyName)))
            {
                return null;
            }

            return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
