using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Brigade.Orleans.Tests.Deployment;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brigade.Orleans.Tests.Review47;

/// <summary>
/// Review 47: a silo given a work assembly from <c>dotnet build</c>'s output, which lacks the NuGet packages the assembly
/// uses, started as if all was well; every item that reached the package's code then failed with
/// <c>FileNotFoundException</c>. The silo now warns when it starts, naming the assembly it cannot find.
/// (An in-process silo with localhost clustering; the work assembly is written with System.Reflection.Metadata.)
/// </summary>
public sealed class MissingDependencyTests
{
    [Fact(Timeout = 60_000)]
    public async Task AWorkAssemblyWhoseDependencyIsMissing_IsWarnedOfAtStart_NamingTheMissingAssembly()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-r47-deps-").FullName;
        try
        {
            var path = Path.Combine(directory, "R47.Work.dll");
            WriteAssemblyReferencing(path, "R47.Work", "R47.NotCopied");
            var ports = FreePorts.On([IPAddress.Loopback], 2);
            var options = new BrigadeSiloOptions { SiloPort = ports[0], GatewayPort = ports[1], PrimarySiloPort = ports[0], ClusterId = "r47-deps" };
            options.WorkAssemblyPaths.Add(path);
            var logs = new Captured();
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.AddProvider(logs);
            builder.UseBrigadeSilo(options);
            using var host = builder.Build();

            await host.StartAsync();
            await host.StopAsync();

            var warning = Assert.Single(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("R47.NotCopied", StringComparison.Ordinal));
            Assert.Contains("R47.Work", warning.Message, StringComparison.Ordinal);
            Assert.Contains("dotnet publish", warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // A library with no types of its own that references an assembly not beside it (as a `dotnet build` output references
    // its NuGet packages).
    private static void WriteAssemblyReferencing(string path, string name, string missing)
    {
        var metadata = new MetadataBuilder();
        metadata.AddModule(0, metadata.GetOrAddString(name + ".dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        metadata.AddAssembly(metadata.GetOrAddString(name), new Version(1, 0, 0, 0), default, default, 0, AssemblyHashAlgorithm.Sha1);
        metadata.AddAssemblyReference(metadata.GetOrAddString("System.Runtime"), new Version(10, 0, 0, 0), default,
            metadata.GetOrAddBlob(ImmutableArray.Create<byte>(0xb0, 0x3f, 0x5f, 0x7f, 0x11, 0xd5, 0x0a, 0x3a)), default, default);
        metadata.AddAssemblyReference(metadata.GetOrAddString(missing), new Version(1, 2, 3, 0), default, default, default, default);
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var image = new BlobBuilder();
        new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), new BlobBuilder()).Serialize(image);
        File.WriteAllBytes(path, image.ToArray());
    }

    private sealed class Captured : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
