using System.Text.Json.Serialization.Metadata;
using Brigade.Engines.Remote;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests;

/// <summary>
/// What a cold worker skips to start faster, and that skipping it changes nothing a run sees: numbers that travel as
/// raw bytes never resolve JSON metadata (yet still read JSON when it comes), and the work type's assembly is loaded by
/// name when the worker already has it (from its file otherwise, as in every other test of this project).
/// </summary>
public sealed class ColdStartTests
{
    [Fact]
    public void TheEnginesAssemblies_AreReadyToRunImages_InARelease_BuildOnASupportedMachine()
    {
        // A JIT-compiled application's first pool JIT-compiled ~300-700 of their methods otherwise (issue 16); the packages
        // carry the same files as this build's output (build/ReadyToRun.targets). The IL stays (ILLibrary).
        // Release builds only, on the machines build/ReadyToRun.targets runs crossgen2 on.
        if (IsDebugBuild || System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier is not ("linux-x64" or "linux-arm64" or "osx-x64" or "osx-arm64"))
        {
            return;
        }

        foreach (var assembly in new[] { typeof(ProcessEngine).Assembly, typeof(Runner).Assembly })
        {
            using var stream = File.OpenRead(assembly.Location);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            var header = pe.PEHeaders.CorHeader!;
            Assert.True(header.ManagedNativeHeaderDirectory.Size > 0, $"{assembly.GetName().Name} is not a ReadyToRun image");
            Assert.True(pe.HasMetadata, $"{assembly.GetName().Name} lost its IL");
        }
    }

#if DEBUG
    private static bool IsDebugBuild => true;
#else
    private static bool IsDebugBuild => false;
#endif

    [Fact]
    public void RawNumbers_MakeTheRoundTrip_WithoutResolvingJsonMetadata()
    {
        using var codec = new RemoteValueCodec<int>(typeof(int), () => throw new InvalidOperationException("JSON metadata resolved"), allowRaw: true);
        var buffer = new RemoteValueBuffer();

        Assert.Null(codec.Write(buffer, [1, -2, int.MaxValue], 3));
        var values = new int[3];
        codec.Read(buffer.WrittenSpan, 3, values, new Exception?[3]);

        Assert.Equal(RemoteValueCodec<int>.Raw, buffer.WrittenSpan[0]);
        Assert.Equal([1, -2, int.MaxValue], values);
    }

    [Fact]
    public void ARawCodec_ResolvesJsonMetadataWhenJsonArrives_AndReadsIt()
    {
        var descriptor = WorkDescriptor.For(typeof(Square));
        var resolved = 0;
        using var receiver = new RemoteValueCodec<int>(typeof(int), () => { resolved++; return descriptor.InputTypeInfo; }, allowRaw: true);
        using var sender = new RemoteValueCodec<int>(descriptor.InputTypeInfo, allowRaw: false);
        var buffer = new RemoteValueBuffer();
        sender.Write(buffer, [4, 5], 2);

        var values = new int[2];
        var errors = new Exception?[2];
        receiver.Read(buffer.WrittenSpan, 2, values, errors);
        receiver.Read(buffer.WrittenSpan, 2, values, errors);

        Assert.Equal(RemoteValueCodec<int>.AsArray, buffer.WrittenSpan[0]);
        Assert.Equal([4, 5], values);
        Assert.All(errors, Assert.Null);
        Assert.Equal(1, resolved);
    }

    [Fact]
    public void OtherTypes_ResolveTheirMetadataAtOnce_SoThatAnUnusableTypeFailsBeforeAnyItem()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new RemoteValueCodec<decimal>(typeof(decimal), () => throw new InvalidOperationException("unusable"), allowRaw: true));

        Assert.Equal("unusable", error.Message);
    }

    [Fact]
    public void NumbersOfAnotherType_ThanTheWorks_TravelAsJson()
    {
        // Raw bytes need the exact type on both sides; a codec for another type must not send them.
        var descriptor = WorkDescriptor.For(typeof(Square));
        using var codec = new RemoteValueCodec<long>(typeof(int), () => (JsonTypeInfo)descriptor.SerializerOptions.GetTypeInfo(typeof(long)), allowRaw: true);
        var buffer = new RemoteValueBuffer();

        codec.Write(buffer, [7L], 1);

        Assert.NotEqual(RemoteValueCodec<long>.Raw, buffer.WrittenSpan[0]);
    }

    [Fact]
    public void AnAssemblyTheWorkerAlreadyHas_IsLoadedByName_NotFromTheGivenFile()
    {
        // A framework assembly nothing here uses: on this process's platform list, as the framework and Brigade.dll are
        // on every worker's. A copy elsewhere must resolve to the platform's file, as binding by its name would.
        var platform = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System.Xml.XPath.XDocument.dll");
        var directory = Directory.CreateTempSubdirectory("brigade-cold-");
        try
        {
            var copy = Path.Combine(directory.FullName, Path.GetFileName(platform));
            File.Copy(platform, copy);

            var loaded = Assert.Single(AssemblyLoader.Load([copy]));

            Assert.Equal(platform, loaded.Location);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task AWorkerThatDiesInThePool_IsReplaced_NotAFailureOfTheNextRun()
    {
        await using var engine = TestEngines.Create(o => o.MaxWorkers = 1);
        await Runner.MapAsync([1], new DiesAfterRelease(), TestEngines.Run(engine));

        // The pooled worker is alive when this run takes it, and dies while it creates the work type.
        var result = await Runner.MapAsync([1, 2], new SlowToCreate(), TestEngines.Run(engine));

        Assert.True(result.Report.IsSuccess, string.Join("; ", result.Report.Failures));
        Assert.Equal([1, 2], result.Values);
        Assert.Equal(2, engine.GetStatistics().WorkersStarted);
    }
}
