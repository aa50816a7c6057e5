using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brigade.Processes.NativeWorker.Tests.Review34;

// Review 34: the engine writes and reads a work's values with WorkDescriptor.DefaultSerializerOptions, public fields
// included. A source-generated context without IncludeFields leaves them out: in the worker the input's fields read as
// zero and the result's are never written, and every item "succeeds" with a wrong value. The catalog must refuse such
// metadata, as it refuses a renaming one.
public sealed class CatalogFieldsTests
{
    [Fact]
    public void MetadataThatDropsPublicFields_ForAWorkTypeOnTheDefaultOptions_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new WorkerCatalog().Add<ScalePoint, FieldPoint, FieldPoint>(NoFieldsJson.Default.FieldPoint, NoFieldsJson.Default.FieldPoint));

        Assert.Contains("IncludeFields", error.Message, StringComparison.Ordinal);
        Assert.Equal("inputTypeInfo", error.ParamName);
    }

    [Fact]
    public void MetadataWithFields_OrTypesWithoutPublicFields_AreAccepted()
    {
        var catalog = new WorkerCatalog()
            .Add<ScalePoint, FieldPoint, FieldPoint>(FieldsJson.Default.FieldPoint, FieldsJson.Default.FieldPoint)
            .Add<NameLength, Named, int>(NoFieldsJson.Default.Named, NoFieldsJson.Default.Int32);

        Assert.Equal(2, catalog.Names.Count);
    }

    [Fact]
    public void WhatTheDroppedFieldsCost()
    {
        // What the engine sends for (3, 4), read by the worker with the context that leaves fields out.
        var sent = JsonSerializer.Serialize(new FieldPoint { X = 3, Y = 4 }, WorkDescriptor.DefaultSerializerOptions);
        var read = JsonSerializer.Deserialize(sent, NoFieldsJson.Default.FieldPoint);

        Assert.Equal("{\"X\":3,\"Y\":4}", sent);
        Assert.Equal(0, read.X);
    }
}

#pragma warning disable CA1051 // public fields are the point: the engine serializes them
public struct FieldPoint
{
    public double X;
    public double Y;
}

public sealed class Named
{
    public string Name { get; set; } = "";

    [JsonIgnore]
    public int Ignored;
}

#pragma warning restore CA1051

public sealed class ScalePoint : IWork<FieldPoint, FieldPoint>
{
    public FieldPoint Execute(FieldPoint input) => new() { X = input.X * 2, Y = input.Y * 2 };
}

public sealed class NameLength : IWork<Named, int>
{
    public int Execute(Named input) => input.Name.Length;
}

[JsonSerializable(typeof(FieldPoint))]
[JsonSerializable(typeof(Named))]
[JsonSerializable(typeof(int))]
internal sealed partial class NoFieldsJson : JsonSerializerContext;

[JsonSourceGenerationOptions(IncludeFields = true)]
[JsonSerializable(typeof(FieldPoint))]
internal sealed partial class FieldsJson : JsonSerializerContext;
