using System.Text.Json;
using System.Text.Json.Serialization;
using Brigade.Processes.Internal;

namespace Brigade.Processes.Tests;

/// <summary>
/// How the engine describes a work type for a worker executable (ProcessWork.ForExecutable): without reflection over
/// its members, but with the same rules as the shipped worker host's description where they apply — one work interface,
/// no generic type, the run's types fitting the work's, and JSON metadata from the type's [WorkSerializer] context,
/// checked before any item runs.
/// </summary>
public sealed class ProcessWorkTests
{
    private const string Worker = "/opt/app/MyWorker";

    [Fact]
    public void ForExecutable_TakesTheWorksOwnTypes_AndKeysThePoolByTheExecutable()
    {
        var work = ProcessWork.ForExecutable<string, object>(typeof(Lengths), Worker);

        Assert.Equal(typeof(Lengths).FullName, work.Name);
        Assert.Equal(typeof(string), work.InputType);
        Assert.Equal(typeof(int), work.OutputType);
        Assert.Equal(Worker, work.PoolKey);
        work.EnsureFits<string, object>();
    }

    [Fact]
    public void ForExecutable_RunTypesThatDoNotFit_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => ProcessWork.ForExecutable<object, int>(typeof(Lengths), Worker).EnsureFits<object, int>());

        Assert.Contains("maps String to Int32, but the run maps Object to Int32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForExecutable_TwoWorkInterfaces_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => ProcessWork.ForExecutable<int, int>(typeof(TwoFaced), Worker));

        Assert.Contains("implements 2 work interfaces", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForExecutable_GenericWorkType_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => ProcessWork.ForExecutable<int, int>(typeof(Echo<int>), Worker));

        Assert.Contains("is generic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForExecutable_JsonFromTheWorkSerializerContext_WithItsNamingPolicy()
    {
        var work = ProcessWork.ForExecutable<Parcel, Parcel>(typeof(Relabel), Worker);

        Assert.Same(CamelJson.Default.Parcel, work.InputTypeInfo);
        Assert.Equal("{\"postCode\":\"N1\"}", JsonSerializer.Serialize(new Parcel { PostCode = "N1" }, CamelJson.Default.Parcel));
    }

    [Fact]
    public void ForExecutable_ATypeTheContextLacks_IsReportedBeforeAnyItemRuns()
    {
        var error = Assert.Throws<NotSupportedException>(() => ProcessWork.ForExecutable<Parcel, Unlisted>(typeof(Unlist), Worker));

        Assert.Contains($"The result type {typeof(Unlisted).FullName} of work type {typeof(Unlist).FullName} cannot be serialized", error.Message, StringComparison.Ordinal);
        Assert.Contains("add [JsonSerializable(typeof(Unlisted))] to CamelJson", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForExecutable_BuiltInTypes_ComeFromSourceGeneratedMetadata()
    {
        // What a NativeAOT application has without reflection: strings, decimals, dates and the like.
        var work = ProcessWork.ForExecutable<string, int>(typeof(Lengths), Worker);

        Assert.Equal(typeof(string), work.InputTypeInfo.Type);
        Assert.IsType<Brigade.Engines.Remote.BuiltInJson>(work.InputTypeInfo.OriginatingResolver);
    }

    [Fact]
    public void ForExecutable_WithoutAContext_UsesTheEnginesDefaultOptions_WhereCodeCanBeBuilt()
    {
        // A JIT-compiled application with a worker executable: the catalog was given metadata of these options.
        var work = ProcessWork.ForExecutable<Parcel, int>(typeof(Weigh), Worker);

        Assert.Same(WorkDescriptor.DefaultSerializerOptions, work.InputTypeInfo.Options);
    }

    [Fact]
    public void ForExecutable_BuiltInTypesBothWays_SkipTheJsonChecks_OthersDoNot()
    {
        // Strings, numbers and dates always pass the JSON checks: building their reflection metadata to say so was most of
        // the System.Text.Json code a JIT-compiled application's first pool of a string work compiled (issue 16).
        Assert.False(ProcessWork.ChecksJsonByReflection(typeof(string), typeof(string)));
        Assert.False(ProcessWork.ChecksJsonByReflection(typeof(decimal?), typeof(Guid)));
        Assert.True(ProcessWork.ChecksJsonByReflection(typeof(string), typeof(Parcel)));
        Assert.True(ProcessWork.ChecksJsonByReflection(typeof(object), typeof(int)));
    }

    [Fact]
    public void ForExecutable_BuiltInTypes_WorkTypeWithoutParameterlessConstructor_IsStillRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => ProcessWork.ForExecutable<string, string>(typeof(Suffix), Worker));

        Assert.Contains("has no parameterless constructor", error.Message, StringComparison.Ordinal);
    }

    public sealed class Suffix(string suffix) : IWork<string, string>
    {
        public string Execute(string input) => input + suffix;
    }

    public sealed class Lengths : IWork<string, int>
    {
        public int Execute(string input) => input.Length;
    }

    public sealed class Weigh : IWork<Parcel, int>
    {
        public int Execute(Parcel input) => input.PostCode.Length;
    }

    public sealed class TwoFaced : IWork<int, int>, IAsyncWork<int, int>
    {
        public int Execute(int input) => input;

        public ValueTask<int> ExecuteAsync(int input, CancellationToken cancellationToken) => ValueTask.FromResult(input);
    }

    public sealed class Echo<T> : IWork<T, T>
    {
        public T Execute(T input) => input;
    }

    public sealed class Parcel
    {
        public string PostCode { get; set; } = "";
    }

    public sealed class Unlisted
    {
        public int Weight { get; set; }
    }

    [WorkSerializer(typeof(CamelJson))]
    public sealed class Relabel : IWork<Parcel, Parcel>
    {
        public Parcel Execute(Parcel input) => input;
    }

    [WorkSerializer(typeof(CamelJson))]
    public sealed class Unlist : IWork<Parcel, Unlisted>
    {
        public Unlisted Execute(Parcel input) => new();
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProcessWorkTests.Parcel))]
internal sealed partial class CamelJson : JsonSerializerContext;
