using System.IO.Compression;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Brigade.Distribution.Tests;

/// <summary>
/// The ReadyToRun libraries (build/ReadyToRun.targets) as a consumer's compiler sees them: a package's lib/ image is
/// compiled for one machine, so a project that targets a platform (a RuntimeIdentifier, a PlatformTarget) would get
/// CS8012 from it, an error under TreatWarningsAsErrors. The compiler must read an IL-only assembly from ref/ instead.
/// </summary>
public sealed partial class PackagesTests
{
    private static readonly string[] ReadyToRunLibraries = ["Brigade", "Brigade.Processes"];

    [Fact]
    public async Task ReadyToRunLibraries_CompileForAPlatform_WithoutCS8012_AndTheRuntimeGetsTheImage()
    {
        await _packed.PackAsync();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Brigade", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        foreach (var id in ReadyToRunLibraries)
        {
            using var zip = ZipFile.OpenRead(Path.Combine(_packed.Feed, $"{id}.{_packed.Version}.nupkg"));
            var entries = zip.Entries.Select(e => e.FullName).ToList();

            // What NuGet gives the compiler: ref/ when the package has one, else lib/. The runtime gets lib/.
            var compileAsset = entries.Any(e => e.StartsWith("ref/net10.0/", StringComparison.Ordinal)) ? $"ref/net10.0/{id}.dll" : $"lib/net10.0/{id}.dll";
            var compile = ReadEntry(zip, compileAsset);
            using (var pe = new PEReader(new MemoryStream(compile)))
            {
                Assert.True(pe.PEHeaders.CorHeader!.Flags.HasFlag(CorFlags.ILOnly) && pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size == 0, $"{id}: the compiler's {compileAsset} is not IL-only");
            }

            Assert.Contains(Path.ChangeExtension(compileAsset, ".xml"), entries);   // IntelliSense reads the docs beside it
            references.Add(MetadataReference.CreateFromImage(compile));

            // The image in lib/ where this machine compiles one (build/ReadyToRun.targets: linux and macOS, x64 and arm64).
            using var runtime = new PEReader(new MemoryStream(ReadEntry(zip, $"lib/net10.0/{id}.dll")));
            if (!OperatingSystem.IsWindows())
            {
                Assert.True(runtime.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{id}: lib/net10.0/{id}.dll is not a ReadyToRun image");
            }
        }

        var code = CSharpSyntaxTree.ParseText("""
            await using var engine = new Brigade.Processes.ProcessEngine();
            System.Console.WriteLine(typeof(Brigade.Runner));
            """, new CSharpParseOptions(LanguageVersion.Latest));
        foreach (var platform in new[] { Platform.X64, Platform.Arm64 })
        {
            var compilation = CSharpCompilation.Create("Consumer", [code], references, new CSharpCompilationOptions(OutputKind.ConsoleApplication, platform: platform));
            using var output = new MemoryStream();
            // The framework's implementation assemblies (the references here) are ReadyToRun images too: only Brigade's count.
            var diagnostics = compilation.Emit(output).Diagnostics
                .Where(d => d.Severity == DiagnosticSeverity.Error || d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("'Brigade", StringComparison.Ordinal))
                .ToList();
            Assert.True(diagnostics.Count == 0, $"{platform}: {string.Join("\n", diagnostics)}");
        }
    }

    private static byte[] ReadEntry(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        Assert.True(entry is not null, $"no {name} in the package");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
