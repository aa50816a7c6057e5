using System.Text.Json.Serialization;

namespace Brigade.Cli.Demo.Model;

/// <summary>Source-generated JSON for the demo document: no reflection, stable camelCase names.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(DemoDocument))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
