using System.Xml.Linq;

namespace Brigade.Distribution.Tests;

/// <summary>
/// A single-file application (<c>PublishSingleFile</c>) on the process engine with the shipped worker host. The worker
/// host was bundled into the executable, where <c>dotnet exec</c> cannot start it, and the run failed saying to copy
/// Brigade.Processes.Worker.dll beside the application (leftover of review 39). The package's .targets now keeps it
/// beside, with the assemblies the worker loads (Brigade.dll and its dependencies): work types in a library left out of
/// the bundle run; a work type compiled into the executable is refused with advice that can help (NativeWorkerHost).
/// </summary>
public sealed partial class PackagesTests
{
    [Fact]
    public async Task SingleFilePublish_KeepsTheWorkerHostBeside_AndTheProcessEngineRuns()
    {
        if (!PackedFeed.IsLinuxX64)
        {
            return;
        }

        await _packed.PackAsync();
        var root = Directory.CreateDirectory(_packed.Temp.File("single-file")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
        var app = Directory.CreateDirectory(Path.Combine(root, "app")).FullName;
        new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement("PropertyGroup", new XElement("TargetFramework", "net10.0"), new XElement("Nullable", "enable")),
            new XElement("ItemGroup", new XElement("PackageReference", new XAttribute("Include", "Brigade"), new XAttribute("Version", _packed.Version))))
            .Save(Path.Combine(work, "Work.csproj"));
        await File.WriteAllTextAsync(Path.Combine(work, "Cube.cs"), """
            namespace Work;

            public sealed class Cube : Brigade.IWork<long, long>
            {
                public long Execute(long input) => input * input * input;
            }
            """);

        // The application keeps Work.dll, its work types, out of the bundle, as docs/processes.md shows.
        new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement("PropertyGroup",
                new XElement("OutputType", "Exe"),
                new XElement("TargetFramework", "net10.0"),
                new XElement("Nullable", "enable"),
                new XElement("ImplicitUsings", "enable")),
            new XElement("ItemGroup",
                new XElement("PackageReference", new XAttribute("Include", "Brigade.Processes"), new XAttribute("Version", _packed.Version)),
                new XElement("ProjectReference", new XAttribute("Include", "../work/Work.csproj"))),
            new XElement("Target", new XAttribute("Name", "KeepWorkTypesBeside"), new XAttribute("AfterTargets", "ComputeResolvedFilesToPublishList"),
                new XElement("ItemGroup", new XElement("ResolvedFileToPublish",
                    new XAttribute("Update", "@(ResolvedFileToPublish)"),
                    new XAttribute("Condition", "'%(Filename)' == 'Work'"),
                    new XAttribute("ExcludeFromSingleFile", "true")))))
            .Save(Path.Combine(app, "App.csproj"));
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Brigade;
            using Brigade.Processes;

            await using var processes = new ProcessEngine();
            var cubes = await Runner.MapAsync(Enumerable.Range(1, 10).Select(i => (long)i), new Work.Cube(), new RunOptions { Engine = processes });
            Console.WriteLine($"cubes {cubes.Values.Sum()}, failed {cubes.Report.Failed}");
            try
            {
                await Runner.MapAsync(new long[] { 1, 2 }, new Square(), new RunOptions { Engine = processes });
            }
            catch (Exception e)
            {
                Console.WriteLine($"square {e.GetType().Name}: {e.Message}");
            }

            public sealed class Square : IWork<long, long>
            {
                public long Execute(long input) => input * input;
            }
            """);

        var publish = Path.Combine(root, "publish");
        // One node (-m:1), as the pack (PackedFeed): Work.csproj is built in the same MSBuild process, not in a second one
        // (this publish: 19.5 s of CPU with -m, 15.2 s with -m:1, load 17-21, 2026-12-07).
        var (exit, output) = await Dotnet.RunAsync(app, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishSingleFile=true", "-o", publish, "-nologo", "-v:q", "-nodeReuse:false", "-m:1");
        Assert.True(exit == 0, output);

        var files = Directory.GetFiles(publish).Select(Path.GetFileName).ToHashSet();
        foreach (var beside in new[] { "Brigade.Processes.Worker.dll", "Brigade.Processes.Worker.runtimeconfig.json", "Brigade.Processes.Worker.deps.json", "Brigade.dll", "Work.dll" })
        {
            Assert.True(files.Contains(beside), $"{beside} is not beside the executable: {string.Join(", ", files)}");
        }

        Assert.DoesNotContain("Brigade.Processes.dll", files);   // the application's own: still in the bundle
        (exit, output) = await Dotnet.RunProgramAsync(Path.Combine(publish, "App"), publish, TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, output);
        Assert.Contains("cubes 3025, failed 0", output, StringComparison.Ordinal);
        Assert.Contains("square ArgumentException: Work type Square is defined in an assembly without a file", output, StringComparison.Ordinal);
        Assert.Contains("NativeWorkerHost", output, StringComparison.Ordinal);
        Assert.DoesNotContain("copy Brigade.Processes.Worker.dll", output, StringComparison.Ordinal);
    }
}
