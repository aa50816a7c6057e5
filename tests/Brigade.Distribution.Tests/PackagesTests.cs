using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text.Json;
using System.Xml.Linq;

namespace Brigade.Distribution.Tests;

/// <summary>
/// The packages as a user gets them: every packable project under src/ packed into a temporary feed (once,
/// <see cref="PackedFeed"/>), each with its metadata, readme and symbols; then a new project restores Brigade's libraries
/// from that feed (and the configured feeds, for their dependencies), builds with the analyzers the Brigade package
/// carries (which report the pitfalls of its Pitfalls.cs), and runs a map on worker processes; and the tool installs and
/// runs: the framework-dependent tool (the <c>any</c> package), and with BRIGADE_TEST_NATIVE_PACKAGE=1 on linux-x64 the
/// native front that <c>dotnet tool install</c> picks there.
/// </summary>
public sealed partial class PackagesTests(PackedFeed packed) : IClassFixture<PackedFeed>
{
    private readonly PackedFeed _packed = packed;
    private const string RepositoryUrl = "https://github.com/brigade-dotnet/brigade";
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly string[] Libraries = ["Brigade", "Brigade.Processes", "Brigade.Orleans", "Brigade.Testing", "Brigade.Doctor"];
    private const string Tool = "Brigade.Cli";               // the pointer package that users install
    private const string PortableTool = Tool + ".any";        // the framework-dependent tool
    private const string NativeTool = Tool + ".linux-x64";    // the native front, with the framework-dependent tool beside it
    private const string Analyzers = "Brigade.Analyzers";
    private static readonly string[] AnalyzerAssemblies = ["analyzers/dotnet/cs/Brigade.Analyzers.dll", "analyzers/dotnet/cs/Brigade.Analyzers.CodeFixes.dll"];

    [Fact]
    public void Readme_InstallSection_NamesEveryPackage()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var start = readme.IndexOf("\n## Install\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Install' section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var install = readme[start..(end < 0 ? readme.Length : end)];
        foreach (var id in Libraries.Append(Tool).Append(Analyzers))
        {
            Assert.True(install.Contains($"`{id}`", StringComparison.Ordinal) || install.Contains($"package {id}", StringComparison.Ordinal) || install.Contains($"install --global {id}", StringComparison.Ordinal),
                $"README's Install section does not name the {id} package");
        }
    }

    [Fact]
    public async Task Packages_FromALocalFeed_RestoreBuildAndRunAProcessEngineMap_AndTheToolRuns()
    {
        await _packed.PackAsync();
        var feed = _packed.Feed;
        var version = _packed.Version;

        var packages = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).ToArray();
        foreach (var id in Libraries.Append(Tool).Append(PortableTool).Append(Analyzers))
        {
            Assert.Contains($"{id}.{version}.nupkg", packages);
        }

        // The native front's package only where it was asked for and can be compiled (PackedFeed).
        Assert.Equal(PackedFeed.Native, packages.Contains($"{NativeTool}.{version}.nupkg"));

        foreach (var nupkg in Directory.GetFiles(feed, "*.nupkg"))
        {
            CheckPackage(nupkg);
        }

        // The library consumer and the tool use the feed independently (each its own folder; NuGet locks each package it
        // extracts into the shared package folder): side by side, the test waits for the longer of the two, not the sum.
        await Task.WhenAll(ConsumeLibrariesAsync(_packed.Temp, version), InstallAndRunToolAsync(_packed.Temp, feed, version));
    }

    private static void CheckPackage(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var nuspecEntry = Assert.Single(zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument nuspec;
        using (var s = nuspecEntry.Open())
        {
            nuspec = XDocument.Load(s);
        }

        var ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        string? Field(string name) => metadata.Element(ns + name)?.Value;
        var id = Field("id")!;

        Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{id}: no description");
        Assert.True((Field("tags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 3, $"{id}: tags '{Field("tags")}'");
        Assert.Equal("MIT", Field("license"));
        Assert.Equal(RepositoryUrl, Field("projectUrl"));
        var repository = metadata.Element(ns + "repository");
        Assert.Equal(RepositoryUrl, repository?.Attribute("url")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository?.Attribute("commit")?.Value ?? "");
        Assert.DoesNotContain("example.invalid", nuspec.ToString(), StringComparison.Ordinal);

        var readme = Field("readme");
        Assert.False(string.IsNullOrEmpty(readme), $"{id}: no readme");
        var readmeEntry = Assert.Single(zip.Entries, e => e.FullName == readme);
        using (var reader = new StreamReader(readmeEntry.Open()))
        {
            var text = reader.ReadToEnd();
            Assert.Contains($"# {(IsTool(id) ? "brigade" : id)}", text, StringComparison.Ordinal);   // its own readme, not the repository's
            // A relative link is dead on a package's page (nuget.org, an IDE): every link is absolute.
            var relative = MarkdownLink().Matches(text).Select(m => m.Groups["target"].Value).Where(t => !t.StartsWith("https://", StringComparison.Ordinal)).ToList();
            Assert.True(relative.Count == 0, $"{id}: relative links in its readme: {string.Join(", ", relative)}");
        }

        var entries = zip.Entries.Select(e => e.FullName).ToList();
        if (id is "Brigade" or Analyzers)
        {
            // The analyzers travel in both (docs/analyzers.md), their PDB embedded with SourceLink: an analyzer is loaded by
            // the compiler, not by the program, so its symbols sit in the assembly rather than in a symbols package.
            foreach (var analyzer in AnalyzerAssemblies)
            {
                Assert.Contains(analyzer, entries);
                CheckSourceLink($"{id}: {analyzer}", ReadEmbeddedSourceLink(zip.GetEntry(analyzer)!));
            }
        }

        if (id == Analyzers)
        {
            // Analyzers alone: a development dependency with no library and no dependency of its own.
            Assert.Equal("true", Field("developmentDependency"));
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
            Assert.Empty(metadata.Descendants(ns + "dependency"));
            Assert.False(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), $"{id}: a symbols package with nothing in it");
            return;
        }

        if (IsTool(id))
        {
            CheckToolPackage(nupkg, id, zip, metadata.Element(ns + "packageTypes")?.Element(ns + "packageType")?.Attribute("name")?.Value);
            if (id == Tool)
            {
                return;
            }
        }

        // Symbols: a .snupkg beside it whose PDBs carry SourceLink to the repository (a tool's: Brigade.Cli.pdb, in each
        // of its RID packages).
        var snupkg = Path.ChangeExtension(nupkg, ".snupkg");
        Assert.True(File.Exists(snupkg), $"{id}: no symbols package");
        using var symbols = ZipFile.OpenRead(snupkg);
        var ownPdb = Assert.Single(symbols.Entries, e => e.Name == $"{(IsTool(id) ? Tool : id)}.pdb");
        CheckSourceLink(id, ReadSourceLink(ownPdb));

        // No package depends on a package that is not published (Brigade.Processes.Worker ships inside Brigade.Processes).
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToArray();
        Assert.DoesNotContain("Brigade.Processes.Worker", dependencies);
        Assert.DoesNotContain("Brigade.Workloads", dependencies);
    }

    private static bool IsTool(string id) => id == Tool || id.StartsWith(Tool + ".", StringComparison.Ordinal);

    /// <summary>
    /// The tool's .NET 10 RID-specific packages: the pointer lists the RID packages packed (any, and linux-x64 with the
    /// native front), has no binaries and so no symbols package; each RID package holds the framework-dependent tool, and
    /// linux-x64 the front as the command.
    /// </summary>
    private static void CheckToolPackage(string nupkg, string id, ZipArchive zip, string? packageType)
    {
        var settingsEntry = Assert.Single(zip.Entries, e => e.Name == "DotnetToolSettings.xml");
        XDocument settings;
        using (var s = settingsEntry.Open())
        {
            settings = XDocument.Load(s);
        }

        var command = Assert.Single(settings.Descendants("Command"));
        Assert.Equal("brigade", command.Attribute("Name")?.Value);
        var files = zip.Entries.Select(e => e.FullName).ToList();
        if (id == Tool)
        {
            Assert.Equal("DotnetTool", packageType);
            var rids = settings.Descendants("RuntimeIdentifierPackage").Select(p => p.Attribute("RuntimeIdentifier")?.Value).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(PackedFeed.Native ? ["any", "linux-x64"] : ["any"], rids);
            Assert.DoesNotContain(files, f => f.EndsWith(".dll", StringComparison.Ordinal));
            Assert.False(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), $"{id}: a symbols package with nothing in it");
            return;
        }

        Assert.Equal("DotnetToolRidPackage", packageType);
        // tools/net10.0/any/ (framework-dependent) or tools/any/linux-x64/ (self-contained, as the SDK lays out a NativeAOT tool).
        var rid = id[(Tool.Length + 1)..];
        var tool = Assert.Single(files, f => f.StartsWith("tools/", StringComparison.Ordinal) && f.EndsWith($"/{rid}/Brigade.Cli.dll", StringComparison.Ordinal));
        var root = tool[..^"Brigade.Cli.dll".Length];
        Assert.Contains(root + "Brigade.Cli.runtimeconfig.json", files);
        Assert.DoesNotContain(files, f => f.EndsWith(".dbg", StringComparison.Ordinal));   // the front's native symbols (~30 MB)
        if (rid == "any")
        {
            Assert.Equal(("dotnet", "Brigade.Cli.dll"), (command.Attribute("Runner")?.Value, command.Attribute("EntryPoint")?.Value));
            Assert.DoesNotContain(files, f => f.Contains("Brigade.Cli.Native", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal(("executable", "Brigade.Cli.Native"), (command.Attribute("Runner")?.Value, command.Attribute("EntryPoint")?.Value));
            Assert.Contains(root + "Brigade.Cli.Native", files);
        }
    }

    private static void CheckSourceLink(string what, string sourceLink)
    {
        var documents = JsonDocument.Parse(sourceLink).RootElement.GetProperty("documents");
        Assert.True(
            documents.EnumerateObject().Any(d => d.Value.GetString()!.StartsWith("https://raw.githubusercontent.com/brigade-dotnet/brigade/", StringComparison.Ordinal)),
            $"{what}: SourceLink does not point into the repository: {sourceLink}");
    }

    private static string ReadEmbeddedSourceLink(ZipArchiveEntry assembly)
    {
        using var copy = new MemoryStream();
        using (var s = assembly.Open())
        {
            s.CopyTo(copy);
        }

        copy.Position = 0;
        using var pe = new System.Reflection.PortableExecutable.PEReader(copy);
        var embedded = pe.ReadDebugDirectory().Where(d => d.Type == System.Reflection.PortableExecutable.DebugDirectoryEntryType.EmbeddedPortablePdb).ToList();
        Assert.True(embedded.Count == 1, $"{assembly.FullName}: no embedded PDB");
        using var provider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded[0]);
        return ReadSourceLink(provider.GetMetadataReader(), assembly.FullName);
    }

    private static string ReadSourceLink(ZipArchiveEntry pdb)
    {
        using var copy = new MemoryStream();
        using (var s = pdb.Open())
        {
            s.CopyTo(copy);
        }

        copy.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(copy);
        return ReadSourceLink(provider.GetMetadataReader(), pdb.FullName);
    }

    private static string ReadSourceLink(MetadataReader reader, string what)
    {
        foreach (var handle in reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
        {
            var info = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(info.Kind) == SourceLinkKind)
            {
                return System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value));
            }
        }

        throw new Xunit.Sdk.XunitException($"{what}: no SourceLink");
    }

    // [text](target) and ![alt](target), the target up to a space (a title) or the closing parenthesis.
    [System.Text.RegularExpressions.GeneratedRegex(@"\]\((?<target>[^)\s]+)")]
    private static partial System.Text.RegularExpressions.Regex MarkdownLink();

    internal static void WriteIsolatedNuGetConfig(TempDirectory temp, string feed)
    {
        // The temporary feed on top of the configured ones; packages extracted into a folder of this test's own, with the
        // user's package folder as a read-only fallback (so dependencies already downloaded are not fetched again).
        var userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        new XElement("configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", temp.File("packages")))),
            new XElement("packageSources", new XElement("add", new XAttribute("key", "brigade-test-feed"), new XAttribute("value", feed))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "user"), new XAttribute("value", userPackages))))
            .Save(temp.File("nuget.config"));

        // Nothing of the repository's build settings reaches the consumer.
        File.WriteAllText(temp.File("Directory.Build.props"), "<Project />");
        File.WriteAllText(temp.File("Directory.Build.targets"), "<Project />");
        File.WriteAllText(temp.File("Directory.Packages.props"), "<Project />");
    }

    private static async Task ConsumeLibrariesAsync(TempDirectory temp, string version)
    {
        var app = Directory.CreateDirectory(temp.File("consumer")).FullName;
        new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement("PropertyGroup",
                new XElement("OutputType", "Exe"),
                new XElement("TargetFramework", "net10.0"),
                new XElement("Nullable", "enable"),
                new XElement("ImplicitUsings", "enable"),
                new XElement("TreatWarningsAsErrors", "true"),
                // Pitfalls.cs holds the pitfalls on purpose: the analyzers' warnings are expected, not errors.
                new XElement("WarningsNotAsErrors", "BRG2001;BRG2002;BRG2003;BRG2004;BRG2007;BRG2008")),
            new XElement("ItemGroup", Libraries.Select(id =>
                new XElement("PackageReference", new XAttribute("Include", id), new XAttribute("Version", version)))))
            .Save(Path.Combine(app, "Consumer.csproj"));
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Brigade;
            using Brigade.Processes;

            await using var processes = new ProcessEngine();
            var squares = await Runner.MapAsync(Enumerable.Range(1, 100).Select(i => (long)i), new Square(), new RunOptions { Engine = processes });
            Console.WriteLine($"sum {squares.Values.Sum()}");
            Console.WriteLine($"engine {squares.Report.Engine}, failed {squares.Report.Failed}");
            Console.WriteLine(typeof(Brigade.Testing.Explorer).Assembly.GetName().Name);
            Console.WriteLine(typeof(Brigade.Orleans.ClusterEngine).Assembly.GetName().Name);
            Console.WriteLine(typeof(Brigade.Doctor.Doctor).Assembly.GetName().Name);

            public sealed class Square : IWork<long, long>
            {
                public long Execute(long input) => input * input;
            }
            """);

        // The analyzers that the Brigade package carries run in the consumer's build (BRG2001 at the end of the compilation,
        // the others as they see the code); the compiler loads them without complaint (CS8032: an analyzer cannot be
        // loaded; AD0001: one threw).
        await File.WriteAllTextAsync(Path.Combine(app, "Pitfalls.cs"), """
            public sealed class Pitfalls
            {
                private readonly object _accounts = new();
                private readonly object _audit = new();

                public void Transfer() { lock (_accounts) { lock (_audit) { } } }

                public void Report() { lock (_audit) { lock (_accounts) { } } }

                public int Count(int[] items) { var n = 0; Parallel.ForEach(items, x => { n++; }); return n; }

                public void Sleep(int[] items) => Parallel.ForEach(items, x => Thread.Sleep(x));

                public void Save(int[] items) => Parallel.ForEach(items, async x => await Task.Delay(x));

                public async Task Hold() { Monitor.Enter(_audit); await Task.Delay(1); Monitor.Exit(_audit); }

                public Task Start() => Task.Factory.StartNew(async () => await Task.Delay(1));
            }
            """);

        // One node (-m:1), as the pack (PackedFeed): a second MSBuild process costs CPU that a one-project build cannot use.
        var (exit, output) = await Dotnet.RunAsync(app, "build", "-nologo", "-v:q", "-nodeReuse:false", "-m:1");
        Assert.True(exit == 0, $"the consumer did not restore or build:\n{output}");
        var warnings = output.Split('\n').Where(l => l.Contains("Pitfalls.cs(", StringComparison.Ordinal)).ToList();
        foreach (var (rule, line) in new[] { ("BRG2001", 6), ("BRG2001", 8), ("BRG2002", 10), ("BRG2003", 12), ("BRG2004", 14), ("BRG2007", 16), ("BRG2008", 18) })
        {
            Assert.True(
                warnings.Any(w => w.Contains($"Pitfalls.cs({line},", StringComparison.Ordinal) && w.Contains($"warning {rule}:", StringComparison.Ordinal)),
                $"no {rule} at Pitfalls.cs line {line}:\n{output}");
        }

        Assert.DoesNotContain("CS8032", output, StringComparison.Ordinal);
        Assert.DoesNotContain("AD0001", output, StringComparison.Ordinal);
        var bin = Path.Combine(app, "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(bin, "Brigade.Processes.Worker.dll")), "the worker host was not copied next to the application");

        (exit, output) = await Dotnet.RunAsync(app, Path.Combine(bin, "Consumer.dll"));
        Assert.True(exit == 0, $"the consumer failed:\n{output}");
        Assert.Contains("sum 338350", output, StringComparison.Ordinal);
        Assert.Contains("engine processes", output, StringComparison.Ordinal);
        Assert.Contains("failed 0", output, StringComparison.Ordinal);
        Assert.Contains("Brigade.Testing", output, StringComparison.Ordinal);
        Assert.Contains("Brigade.Orleans", output, StringComparison.Ordinal);
        Assert.Contains("Brigade.Doctor", output, StringComparison.Ordinal);
    }

    private static async Task InstallAndRunToolAsync(TempDirectory temp, string feed, string version)
    {
        var tools = temp.File("tools");
        var (exit, output) = await Dotnet.RunAsync(temp.Path, "tool", "install", Tool, "--version", version, "--tool-path", tools, "--add-source", feed);
        Assert.True(exit == 0, $"the tool did not install:\n{output}");

        // What the pointer package gave this machine: the native front on linux-x64 when it was packed, else the
        // framework-dependent tool (the any package).
        var installed = (PackedFeed.Native ? NativeTool : PortableTool).ToLowerInvariant();
        Assert.True(Directory.GetDirectories(Path.Combine(tools, ".store"), installed, SearchOption.AllDirectories).Length == 1, $"{installed} is not what was installed");

        var brigade = Path.Combine(tools, "brigade");
        (exit, output) = await Dotnet.RunProgramAsync(brigade, temp.Path, TimeSpan.FromMinutes(1), "--help");
        Assert.True(exit == 0, output);
        Assert.Contains("run", output, StringComparison.Ordinal);

        await File.WriteAllTextAsync(temp.File("items.txt"), "a\nb\nc\n");
        (exit, output) = await Dotnet.RunProgramAsync(brigade, temp.Path, TimeSpan.FromMinutes(1), "run", temp.File("items.txt"), "--exec", "echo item {}", "--quiet");
        Assert.True(exit == 0, output);
        Assert.Equal(["item a", "item b", "item c"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [SkippableFact]
    public async Task ToolPackage_OnLinuxX64_TheCommandIsTheNativeFront_AndHandsOtherCommandsToTheToolBesideIt()
    {
        Skip.IfNot(PackedFeed.NativeRequested,
            $"the native front's package is packed only when asked for (ILC: ~30 s of CPU, more than the CI's time allows): " +
            $"{PackedFeed.NativeVariable}=1 dotnet test tests/Brigade.Distribution.Tests -c Release --filter FullyQualifiedName~PackagesTests");
        Skip.IfNot(PackedFeed.IsLinuxX64, "the native front is packed for linux-x64 only");
        await _packed.PackAsync();
        var temp = _packed.Temp;
        var tools = temp.File("tools-native");
        var (exit, output) = await Dotnet.RunAsync(temp.Path, "tool", "install", Tool, "--version", _packed.Version, "--tool-path", tools, "--add-source", _packed.Feed);
        Assert.True(exit == 0, $"the tool did not install:\n{output}");

        // The command is the front: an ELF executable that is no .NET apphost (every apphost loads libhostfxr).
        var brigade = Path.Combine(tools, "brigade");
        var command = new FileInfo(brigade).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? brigade;
        var bytes = await File.ReadAllBytesAsync(command);
        Assert.True(bytes.AsSpan().StartsWith("\u007FELF"u8), $"{command} is not an ELF executable");
        Assert.True(bytes.AsSpan().IndexOf("libhostfxr"u8) < 0, $"{command} is a .NET apphost, not the native front");
        var fullTool = Assert.Single(Directory.GetFiles(Path.Combine(tools, ".store"), "Brigade.Cli.dll", SearchOption.AllDirectories));
        Assert.Equal(Path.GetDirectoryName(fullTool), Path.GetDirectoryName(command));

        // A run goes through no .NET host (the host writes its trace file when it starts) and gives the stdout and exit
        // code of the framework-dependent tool beside it.
        var trace = temp.File("host-trace.txt");
        var traced = new Dictionary<string, string> { ["COREHOST_TRACE"] = "1", ["COREHOST_TRACEFILE"] = trace };
        var items = temp.File("native-items.txt");
        await File.WriteAllTextAsync(items, "a\nb\nc\n");
        string[][] runs =
        [
            ["run", items, "--exec", "echo item {}", "--quiet"],
            ["run", items, "-j", "1", "--exec", "echo item {}; exit 3"],
            ["run", items],   // a usage error: no work
        ];
        foreach (var args in runs)
        {
            var front = await Dotnet.RunProgramAsync(brigade, temp.Path, TimeSpan.FromMinutes(1), traced, args);
            Assert.False(File.Exists(trace), $"brigade {string.Join(' ', args)} started the .NET host: not the native front");
            var tool = await Dotnet.RunProgramAsync("dotnet", temp.Path, TimeSpan.FromMinutes(1), new Dictionary<string, string>(), [fullTool, .. args]);
            Assert.True((tool.ExitCode, tool.Stdout) == (front.ExitCode, front.Stdout),
                $"brigade {string.Join(' ', args)}: the front gave exit {front.ExitCode}, stdout '{front.Stdout}', stderr '{front.Stderr}'; the tool exit {tool.ExitCode}, stdout '{tool.Stdout}', stderr '{tool.Stderr}'");
        }

        Assert.Equal(0, (await Dotnet.RunProgramAsync(brigade, temp.Path, TimeSpan.FromMinutes(1), new Dictionary<string, string>(), runs[0])).ExitCode);

        // Another command is handed to the framework-dependent tool (the host starts, and answers as the tool does).
        var version = await Dotnet.RunProgramAsync(brigade, temp.Path, TimeSpan.FromMinutes(1), traced, "--version");
        Assert.True(version.ExitCode == 0, version.Stdout + version.Stderr);
        Assert.True(File.Exists(trace), "brigade --version did not start the .NET host: not handed to the tool");
        var toolVersion = await Dotnet.RunProgramAsync("dotnet", temp.Path, TimeSpan.FromMinutes(1), new Dictionary<string, string>(), fullTool, "--version");
        Assert.Equal(toolVersion.Stdout, version.Stdout);
        (exit, output) = await Dotnet.RunProgramAsync(brigade, temp.Path, TimeSpan.FromMinutes(1), "doctor", "--help");
        Assert.True(exit == 0, output);
        Assert.Contains("doctor", output, StringComparison.Ordinal);

        // The portable package installs and runs here too (what every other platform gets).
        var portable = temp.File("tools-any");
        (exit, output) = await Dotnet.RunAsync(temp.Path, "tool", "install", PortableTool, "--version", _packed.Version, "--tool-path", portable, "--add-source", _packed.Feed);
        Assert.True(exit == 0, $"the portable tool did not install:\n{output}");
        (exit, output) = await Dotnet.RunProgramAsync(Path.Combine(portable, "brigade"), temp.Path, TimeSpan.FromMinutes(1), "run", items, "--exec", "echo item {}", "--quiet");
        Assert.True(exit == 0, output);
        Assert.Equal(["item a", "item b", "item c"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
