using System.IO.Compression;

namespace Brigade.Analyzers.Tests.Packaging;

/// <summary>
/// The analyzers reach users through NuGet: the Brigade package (and Brigade.Analyzers alone) carries them at
/// analyzers/dotnet/cs, and a project that references the package sees BRG2001-BRG2004 in its build output.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(8);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "brigade-analyzers-pack-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Brigade_package_carries_the_analyzers_and_a_consumer_build_reports_them()
    {
        var repository = FindRepository();
        var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var feed = Path.Combine(_root, "feed");
        // A version of its own: the consumer can never restore a stale Brigade from a package cache.
        var version = "0.1.0-analyzerstest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);

        // Brigade is built already (this test project references it): pack what was built.
        var pack = await DotNet.RunAsync(repository, s_timeout, "pack", "src/Brigade/Brigade.csproj", "-c", configuration, "--no-build", "-o", feed, "-p:PackageVersion=" + version, "-nodeReuse:false");
        Assert.True(pack.ExitCode == 0, pack.Output);
        var alone = await DotNet.RunAsync(repository, s_timeout, "pack", "src/Brigade.Analyzers.Package/Brigade.Analyzers.Package.csproj", "-c", configuration, "-o", feed, "-p:PackageVersion=" + version, "-nodeReuse:false");
        Assert.True(alone.ExitCode == 0, alone.Output);

        foreach (var id in new[] { "Brigade", "Brigade.Analyzers" })
        {
            using var package = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.nupkg"));
            var entries = package.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("analyzers/dotnet/cs/Brigade.Analyzers.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Brigade.Analyzers.CodeFixes.dll", entries);
        }

        var consumer = Path.Combine(_root, "consumer");
        Directory.CreateDirectory(consumer);
        await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="brigade-test-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <!-- Packages restore into this scratch folder; what the machine's cache has already serves as a fallback. -->
                <RestorePackagesPath>{Path.Combine(_root, "packages")}</RestorePackagesPath>
                <RestoreFallbackFolders>{NuGetCache()}</RestoreFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Brigade" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "Pitfalls.cs"), """
            namespace Consumer;

            public sealed class Pitfalls
            {
                private readonly object _accounts = new();
                private readonly object _audit = new();

                public void Transfer() { lock (_accounts) { lock (_audit) { } } }

                public void Report() { lock (_audit) { lock (_accounts) { } } }

                public int Count(int[] items) { var n = 0; Parallel.ForEach(items, x => { n++; }); return n; }

                public void Sleep(int[] items) => Parallel.ForEach(items, x => Thread.Sleep(x));

                public void Save(int[] items) => Parallel.ForEach(items, async x => await Task.Delay(x));
            }
            """);

        var build = await DotNet.RunAsync(consumer, s_timeout, "build", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.Output);
        foreach (var id in new[] { "BRG2001", "BRG2002", "BRG2003", "BRG2004" })
        {
            Assert.Contains("warning " + id + ":", build.Output, StringComparison.Ordinal);
        }

        // The compiler loaded both assemblies without complaint (CS8032: cannot load an analyzer; AD0001: one threw).
        Assert.DoesNotContain("CS8032", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("AD0001", build.Output, StringComparison.Ordinal);
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Brigade.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Brigade.slnx not found above " + AppContext.BaseDirectory);
    }

    private static string NuGetCache() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
