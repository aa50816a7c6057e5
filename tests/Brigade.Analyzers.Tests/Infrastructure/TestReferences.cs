using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Brigade.Analyzers.Tests.Infrastructure;

/// <summary>
/// The references test code compiles against, found on this machine: the assemblies the tests use from the installed SDK's
/// .NET reference pack (the testing library would download one from NuGet; this needs no network), plus Brigade itself.
/// </summary>
internal static class TestReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(Load);

    // The assemblies the test sources use, of the pack's 167. Each compilation binds every reference it is given, so the
    // whole pack cost about 4 ms more per compilation (about 10 ms against 5 for a one-method source, ~900 compilations a
    // run): 33.9/31.0 s of CPU for the project before, 26.0/25.1 s with this and review 61's code fix checks (load 9-13).
    // A source that needs another assembly does not compile, and the test says so (CS0246): add the assembly here. Every
    // type KnownSymbols looks up is in one of these: an analyzer whose types are missing stays silent, and a test of
    // correct code would then pass without the rule having looked. System.Private.CoreLib is for the fallback on the runtime's own assemblies, which forward to it.
    private static readonly HashSet<string> s_used = new(StringComparer.Ordinal)
    {
        "System.Private.CoreLib",
        "mscorlib", "netstandard", "System.Runtime", "System.Collections", "System.Collections.Concurrent", "System.Collections.Immutable",
        "System.Linq", "System.Linq.Parallel", "System.Linq.AsyncEnumerable", "System.Linq.Expressions", "System.Threading",
        "System.Threading.Tasks", "System.Threading.Tasks.Parallel", "System.Threading.Thread", "System.Threading.ThreadPool",
        "System.Threading.Channels", "System.Threading.Tasks.Dataflow", "System.Threading.Tasks.Extensions", "System.Console", "System.IO",
        "System.IO.Pipes", "System.IO.FileSystem", "System.Net.Http", "System.Net.Primitives", "System.Net.WebClient", "System.Net.Sockets",
        "System.Net.Requests", "System.Diagnostics.Process", "System.Diagnostics.Debug", "System.ComponentModel", "System.ComponentModel.Primitives", "System.ComponentModel.TypeConverter",
        "System.ObjectModel", "System.Memory", "System.Text.RegularExpressions", "System.Runtime.InteropServices", "System.Runtime.Extensions",
        "System.Data.Common", "System.Text.Encoding.Extensions", "System.Reflection", "System.Runtime.Loader",
    };

    /// <summary>Gets an empty reference set for the test framework (the references come from <see cref="All"/>).</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    /// <summary>Gets the .NET reference assemblies and Brigade.dll.</summary>
    public static ImmutableArray<MetadataReference> All => s_all.Value;

    private static ImmutableArray<MetadataReference> Load()
    {
        var paths = FindReferencePack() ?? FromTrustedPlatformAssemblies();
        var references = paths.Where(p => s_used.Contains(Path.GetFileNameWithoutExtension(p)))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(Runner).Assembly.Location));
        return [.. references];
    }

    // <dotnet>/packs/Microsoft.NETCore.App.Ref/<the running runtime's major version, newest>/ref/net<major>.0/*.dll
    private static string[]? FindReferencePack()
    {
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        var major = Environment.Version.Major;
        if (!Directory.Exists(packs))
        {
            return null;
        }

        var newest = Directory.GetDirectories(packs, major + ".*")
            .Select(d => (Directory: d, Version: Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : null))
            .Where(d => d.Version is not null)
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Directory, "ref", $"net{major}.0"))
            .FirstOrDefault(Directory.Exists);
        return newest is null ? null : Directory.GetFiles(newest, "*.dll");
    }

    // Without a reference pack, the running runtime's own assemblies serve (implementation, not reference, assemblies).
    private static string[] FromTrustedPlatformAssemblies() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll" or "Microsoft.Win32.Primitives.dll"))
            .ToArray();
}
