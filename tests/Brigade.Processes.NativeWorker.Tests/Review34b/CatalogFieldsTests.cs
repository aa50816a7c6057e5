using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brigade.Processes.NativeWorker.Tests.Review34b;

/// <summary>
/// Review 34b: a work type without [WorkSerializer], in a JIT-compiled host with a worker executable. The host writes and
/// reads its values with WorkDescriptor.DefaultSerializerOptions (ProcessWork.ByReflection, whose comment says "WorkerCatalog
/// checks it against these options"), which include public fields; the catalog checks only the naming policy of the
/// metadata it is given, so a plain source-generated context (IncludeFields = false) is accepted and every field
/// arrives as its default, both ways.
/// </summary>
public sealed class CatalogFieldsTests
{
    [Fact]
    public void Add_MetadataThatDropsFields_OfAWorkTypeWithoutWorkSerializer_IsRefused()
    {
        // What the engine's side writes (DefaultSerializerOptions), read as the worker reads it (the catalog's metadata).
        var wire = JsonSerializer.Serialize(new Tally { Count = 3 }, WorkDescriptor.DefaultSerializerOptions.GetTypeInfo(typeof(Tally)));
        Assert.Equal("{\"Count\":3}", wire);
        Assert.Equal(0, JsonSerializer.Deserialize(wire, PlainJson.Default.Tally)!.Count);

        Assert.Throws<ArgumentException>(() => new WorkerCatalog().Add<CountTally, Tally, int>(PlainJson.Default.Tally, PlainJson.Default.Int32));
    }

    public sealed class Tally
    {
#pragma warning disable SA1401, CA1051 // a public field is the point
        public int Count;
#pragma warning restore SA1401, CA1051
    }

    public sealed class CountTally : IWork<Tally, int>
    {
        public int Execute(Tally input) => input.Count;
    }
}

[JsonSerializable(typeof(CatalogFieldsTests.Tally))]
[JsonSerializable(typeof(int))]
internal sealed partial class PlainJson : JsonSerializerContext;
