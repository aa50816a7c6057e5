using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Brigade.Orleans.Hosting;

namespace Brigade.Orleans.Tests.Review48;

/// <summary>
/// Review 48: the silo's start-up warning of a work assembly's missing dependencies (event 7103, review 47) read the
/// assembly's direct references only. A `dotnet build` output that holds a library (copied as a project reference) whose
/// NuGet package is missing was not warned of. The check now follows the references of what it finds, bounded, and names
/// the chain that needs the missing one. (Assemblies written with System.Reflection.Metadata; nothing is loaded.)
/// </summary>
public sealed class DependencyClosureTests
{
    [Fact]
    public void AMissingDependencyOfADependency_IsFound_WithTheChainThatNeedsIt()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-r48-deps-").FullName;
        try
        {
            var work = Path.Combine(directory, "R48.Work.dll");
            Write(work, "R48.Work", "R48.Lib");
            Write(Path.Combine(directory, "R48.Lib.dll"), "R48.Lib", "R48.NotCopied");

            var missing = Assert.Single(WorkAssemblyLoader.MissingDependencies(work));

            Assert.Equal("R48.NotCopied", missing.Name.Name);
            Assert.Equal(["R48.Work", "R48.Lib", "R48.NotCopied"], missing.Chain);
            Assert.Equal("R48.NotCopied 1.2.3.0 (needed through R48.Work -> R48.Lib -> R48.NotCopied)", missing.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // A library with no types of its own that references System.Runtime and one other assembly.
    private static void Write(string path, string name, string reference)
    {
        var metadata = new MetadataBuilder();
        metadata.AddModule(0, metadata.GetOrAddString(name + ".dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        metadata.AddAssembly(metadata.GetOrAddString(name), new Version(1, 0, 0, 0), default, default, 0, AssemblyHashAlgorithm.Sha1);
        metadata.AddAssemblyReference(metadata.GetOrAddString("System.Runtime"), new Version(10, 0, 0, 0), default,
            metadata.GetOrAddBlob(ImmutableArray.Create<byte>(0xb0, 0x3f, 0x5f, 0x7f, 0x11, 0xd5, 0x0a, 0x3a)), default, default);
        metadata.AddAssemblyReference(metadata.GetOrAddString(reference), new Version(1, 2, 3, 0), default, default, default, default);
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var image = new BlobBuilder();
        new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), new BlobBuilder()).Serialize(image);
        File.WriteAllBytes(path, image.ToArray());
    }
}
