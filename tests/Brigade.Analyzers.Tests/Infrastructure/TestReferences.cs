using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Brigade.Analyzers.Tests.Infrastructure;

/// <summary>
/// The references test code compiles against, found on this machine: the installed SDK's .NET reference pack (the
/// testing library would download one from NuGet; this needs no network), plus Brigade itself.
/// </summary>
internal static class TestReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(Load);

    /// <summary>Gets an empty reference set for the test framework (the references come from <see cref="All"/>).</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    /// <summary>Gets the .NET reference assemblies and Brigade.dll.</summary>
    public static ImmutableArray<MetadataReference> All => s_all.Value;

    private static ImmutableArray<MetadataReference> Load()
    {
        var paths = FindReferencePack() ?? FromTrustedPlatformAssemblies();
        var references = paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
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
