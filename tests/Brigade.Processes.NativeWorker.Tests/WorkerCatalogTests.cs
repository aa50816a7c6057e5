using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brigade.Processes.NativeWorker.Tests;

public sealed class WorkerCatalogTests
{
    [Fact]
    public void Names_AreTheWorkTypesFullNames()
    {
        var catalog = new WorkerCatalog().Add<Square, int, long>().AddAsyncWork<WaitForCancel, int, int>();

        Assert.Equal([typeof(Square).FullName!, typeof(WaitForCancel).FullName!], catalog.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SameWorkTypeTwice_IsRejected()
    {
        var catalog = new WorkerCatalog().Add<Square, int, long>();

        var error = Assert.Throws<ArgumentException>(() => catalog.Add<Square, int, long>());

        Assert.Contains("already in the catalog", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullableValues_NeedNoMetadata()
    {
        // int? does not travel as raw bytes (it can be null): built-in metadata, on both sides (the engine's ProcessWork too).
        var catalog = new WorkerCatalog().Add<MaybeDouble, int?, DateTime?>();

        Assert.Contains(typeof(MaybeDouble).FullName!, catalog.Names);
    }

    [Fact]
    public void JsonTypeWithoutMetadata_AsksForIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new WorkerCatalog().Add<Describe, Shape, Label>());

        Assert.Contains($"The input type {typeof(Shape).FullName} of work type {typeof(Describe).FullName} travels as JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("MyJson.Default.Shape", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetadataFromAnotherContextThanTheWorkSerializer_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new WorkerCatalog().Add<Describe, Shape, Label>(OtherJson.Default.Shape, OtherJson.Default.Label));

        Assert.Contains("names ShapeJson in [WorkSerializer]", error.Message, StringComparison.Ordinal);
        Assert.Equal("inputTypeInfo", error.ParamName);
    }

    [Fact]
    public void RenamingMetadata_ForAWorkTypeOnTheDefaultOptions_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new WorkerCatalog().Add<Plain, Shape, Label>(CamelJson.Default.Shape, CamelJson.Default.Label));

        Assert.Contains("renames properties", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultNamedMetadata_ForAWorkTypeOnTheDefaultOptions_IsAccepted()
    {
        var catalog = new WorkerCatalog().Add<Plain, Shape, Label>(OtherJson.Default.Shape, OtherJson.Default.Label);

        Assert.Single(catalog.Names);
    }
}

public sealed class MaybeDouble : IWork<int?, DateTime?>
{
    public DateTime? Execute(int? input) => input is { } days ? DateTime.UnixEpoch.AddDays(days * 2) : null;
}

public sealed class Plain : IWork<Shape, Label>
{
    public Label Execute(Shape input) => new(input.Kind, 0, 0);
}

[JsonSerializable(typeof(Shape))]
[JsonSerializable(typeof(Label))]
internal sealed partial class OtherJson : JsonSerializerContext;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(Shape))]
[JsonSerializable(typeof(Label))]
internal sealed partial class CamelJson : JsonSerializerContext;
