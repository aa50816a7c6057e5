using System.Runtime.InteropServices;
using System.Xml.Linq;

namespace Brigade.Distribution.Tests;

/// <summary>
/// Every packable project under src/ packed once into a temporary feed, for all of <see cref="PackagesTests"/>: the
/// packing is the slow part (and, with the native front, ILC), so it is done at most once per test run, on first use.
/// </summary>
/// <remarks>
/// The tool package Brigade.Cli is packed by src/Brigade.Cli.Native: a pointer package and its RID packages. By default
/// the pointer lists <c>any</c> alone (<c>-p:BrigadeNativeToolPackage=false</c>: the framework-dependent tool, no ILC);
/// with <see cref="NativeVariable"/>=1 on linux-x64 it lists <c>linux-x64;any</c> and the native front is compiled, as
/// a release packs it.
/// </remarks>
public sealed class PackedFeed : IDisposable
{
    /// <summary>The environment variable that asks for the native front in the tool package (ILC: ~30 s of CPU).</summary>
    public const string NativeVariable = "BRIGADE_TEST_NATIVE_PACKAGE";

    private readonly TempDirectory _temp = new();
    private readonly Lazy<Task> _packed;

    /// <summary>Initializes a new instance of the <see cref="PackedFeed"/> class; nothing is packed until <see cref="PackAsync"/>.</summary>
    public PackedFeed()
    {
        Feed = Directory.CreateDirectory(_temp.File("feed")).FullName;
        _packed = new Lazy<Task>(PackAllAsync);
    }

    /// <summary>Gets whether the native front was asked for (<see cref="NativeVariable"/>=1).</summary>
    public static bool NativeRequested => Environment.GetEnvironmentVariable(NativeVariable) == "1";

    /// <summary>Gets whether this machine can compile and run the linux-x64 front.</summary>
    public static bool IsLinuxX64 => OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;

    /// <summary>Gets whether the tool package carries the native front (linux-x64) besides <c>any</c>.</summary>
    public static bool Native => NativeRequested && IsLinuxX64;

    /// <summary>Gets the folder the feed and the tests' work live in.</summary>
    internal TempDirectory Temp => _temp;

    /// <summary>Gets the feed.</summary>
    public string Feed { get; }

    /// <summary>Gets the packages' version: one no cache has seen, so restore can only take these packages from this feed.</summary>
    public string Version { get; } = $"0.1.0-test.x{Guid.NewGuid():N}"[..26];

    /// <summary>Packs every project into <see cref="Feed"/>, the first time it is called.</summary>
    /// <returns>A task that completes when the feed is ready.</returns>
    public Task PackAsync() => _packed.Value;

    /// <inheritdoc />
    public void Dispose() => _temp.Dispose();

    private async Task PackAllAsync()
    {
        // One MSBuild invocation packs every project, from the outputs the test run already built, on one node (-m:1): a
        // second node is one more MSBuild process to start and JIT-compile, for packing that copies and zips files. On the
        // 2-core machine this pack took 12.6 and 10.7 s of CPU with -m, 8.0, 7.4 and 11.0 s with -m:1 (load 17-28,
        // 2026-12-07); the test suite is CPU-bound there, so less CPU is what shortens it, not a parallel pack.
        var projects = Directory.GetFiles(Path.Combine(Repository.Root, "src"), "*.csproj", SearchOption.AllDirectories);
        var properties = $"Configuration={Repository.Configuration};NoBuild=true;_IsPacking=true;PackageVersion={Version};PackageOutputPath={Feed}" +
            $";BrigadeNativeToolPackage={(Native ? "true" : "false")}";
        var packProject = new XElement("Project",
            new XElement("ItemGroup", projects.Select(p => new XElement("PackProject", new XAttribute("Include", p)))),
            new XElement("Target", new XAttribute("Name", "PackAll"),
                new XElement("MSBuild",
                    new XAttribute("Projects", "@(PackProject)"),
                    new XAttribute("Targets", "Pack"),
                    new XAttribute("BuildInParallel", "true"),
                    new XAttribute("Properties", properties))));
        var file = _temp.File("pack.proj");
        packProject.Save(file);
        var (exit, output) = await Dotnet.RunAsync(_temp.Path, "msbuild", file, "-t:PackAll", "-m:1", "-nologo", "-v:m", "-nodeReuse:false");
        Assert.True(exit == 0, $"pack failed (the solution must be built in {Repository.Configuration} first):\n{output}");
        Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
        PackagesTests.WriteIsolatedNuGetConfig(_temp, Feed);
    }
}
